package com.oviron.callidus.hal;

/** The SoC's internal bias resistor on an input {@link GpioLine}. */
public enum GpioPull {
    /** No bias: the line is driven from outside, or has its own resistor on the board. */
    NONE,
    /** Pulled up to 3.3 V: the usual wiring for a contact that closes to ground (then also {@code activeLow}). */
    UP,
    /** Pulled down to ground. */
    DOWN
}
