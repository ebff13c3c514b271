package com.oviron.callidus.hal;

/** Which GPIO driver a hardware {@link GpioPort} uses. */
public enum GpioProvider {
    /**
     * No hardware: every line lives in memory. Inputs start at their inactive level and change only when a
     * test or the demo drives them. Runs on any machine.
     */
    MOCK,
    /** The Linux GPIO character device through libgpiod ({@code /dev/gpiochip0}): the controller board. */
    GPIOD
}
