package com.oviron.callidus.agent.console;

import com.oviron.callidus.hal.SerialSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * The field console's serial port (configuration section {@code console}, docs/configuration.md; docs/console.md).
 *
 * @param serial    the device and its line settings (8N1 at {@link #DEFAULT_BAUD_RATE} unless configured)
 * @param reopenMin the first wait before reopening a device that vanished
 * @param reopenMax the longest wait between reopen attempts (the wait doubles up to it)
 */
public record ConsoleSettings(SerialSettings serial, Duration reopenMin, Duration reopenMax) {
    /** The usual speed of a service console. */
    public static final int DEFAULT_BAUD_RATE = 115_200;
    public static final Duration DEFAULT_REOPEN_MIN = Duration.ofSeconds(1);
    public static final Duration DEFAULT_REOPEN_MAX = Duration.ofSeconds(30);

    public ConsoleSettings {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(reopenMin, "reopenMin");
        Objects.requireNonNull(reopenMax, "reopenMax");
        if (reopenMin.isNegative() || reopenMin.isZero() || reopenMin.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("console reopenMin must be more than 0 and at most 1 minute, got "
                    + reopenMin);
        }
        if (reopenMax.compareTo(reopenMin) < 0 || reopenMax.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("console reopenMax must be from reopenMin to 1 hour, got " + reopenMax);
        }
    }

    /** 8N1 at {@code baudRate}, default reopen waits. */
    public static ConsoleSettings of(String device, int baudRate) {
        return new ConsoleSettings(SerialSettings.of(device, baudRate), DEFAULT_REOPEN_MIN, DEFAULT_REOPEN_MAX);
    }
}
