package com.oviron.callidus.hal;

/** Whether a {@link GpioLine} is read (a switch, a contact) or driven (a LED, a relay). */
public enum GpioDirection {
    /** The unit drives the line; the agent reads it. */
    INPUT,
    /** The agent drives the line. */
    OUTPUT
}
