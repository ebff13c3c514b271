package com.oviron.callidus.cloud;

import java.time.Duration;
import java.util.Objects;

/**
 * How telemetry leaves the outbox. See docs/configuration.md, section {@code sync}.
 *
 * @param batchMaxReadings most readings in one message
 * @param inFlightWindow   most batches published and not yet acknowledged
 * @param interval         how often the outbox is checked for new readings
 * @param maxPublishesPerSecond publishes per second at most, backlog included (0: no limit)
 */
public record SyncSettings(int batchMaxReadings, int inFlightWindow, Duration interval, int maxPublishesPerSecond) {
    public SyncSettings {
        if (maxPublishesPerSecond < 0) {
            throw new IllegalArgumentException("maxPublishesPerSecond must not be negative, got "
                    + maxPublishesPerSecond);
        }
        Objects.requireNonNull(interval, "interval");
        if (batchMaxReadings < 1) {
            throw new IllegalArgumentException("batchMaxReadings must be at least 1, got " + batchMaxReadings);
        }
        if (inFlightWindow < 1) {
            throw new IllegalArgumentException("inFlightWindow must be at least 1, got " + inFlightWindow);
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, got " + interval);
        }
    }
}
