package com.oviron.callidus.cloud;

import java.time.Duration;
import java.util.Objects;

/**
 * How telemetry leaves the outbox. See docs/configuration.md, section {@code sync}, and ADR 0027.
 *
 * @param batchMaxReadings      most readings in one message while the unit is caught up
 * @param inFlightWindow        most batches published and not yet acknowledged
 * @param interval              how often the outbox is checked for new readings
 * @param maxPublishesPerSecond publishes per second at most, backlog included (0: no limit)
 * @param catchUpMaxReadings    most readings in one message while a backlog is replayed (at most
 *                              {@value #CATCH_UP_READINGS_LIMIT}); at or below {@code batchMaxReadings}, batches
 *                              never grow
 * @param catchUpMaxBytes       most payload bytes of a batch grown for a backlog (at most
 *                              {@link TelemetryBatchCodec#MAX_PAYLOAD_BYTES})
 */
public record SyncSettings(int batchMaxReadings, int inFlightWindow, Duration interval, int maxPublishesPerSecond,
                           int catchUpMaxReadings, int catchUpMaxBytes) {
    /** The most readings a batch may ever hold (docs/protocol.md, "Sizes and rates"). */
    public static final int CATCH_UP_READINGS_LIMIT = 65_536;
    /** Default of {@code catchUpMaxReadings}. */
    public static final int DEFAULT_CATCH_UP_MAX_READINGS = 32_768;
    /** Default of {@code catchUpMaxBytes}: 120 KiB, 8 KiB below AWS IoT Core's 128 KiB for topic and headers. */
    public static final int DEFAULT_CATCH_UP_MAX_BYTES = 120 * 1024;
    /** The smallest {@code catchUpMaxBytes}: a grown batch must have room for many readings. */
    public static final int MIN_CATCH_UP_BYTES = 4 * 1024;

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
        if (catchUpMaxReadings < 1 || catchUpMaxReadings > CATCH_UP_READINGS_LIMIT) {
            throw new IllegalArgumentException("catchUpMaxReadings must be 1 to " + CATCH_UP_READINGS_LIMIT + ", got "
                    + catchUpMaxReadings);
        }
        if (catchUpMaxBytes < MIN_CATCH_UP_BYTES || catchUpMaxBytes > TelemetryBatchCodec.MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("catchUpMaxBytes must be " + MIN_CATCH_UP_BYTES + " to "
                    + TelemetryBatchCodec.MAX_PAYLOAD_BYTES + ", got " + catchUpMaxBytes);
        }
    }

    /** Batches that never grow: always up to {@code batchMaxReadings}. */
    public SyncSettings(int batchMaxReadings, int inFlightWindow, Duration interval, int maxPublishesPerSecond) {
        this(batchMaxReadings, inFlightWindow, interval, maxPublishesPerSecond, batchMaxReadings,
                DEFAULT_CATCH_UP_MAX_BYTES);
    }

    /** Whether batches grow while a backlog is replayed. */
    public boolean growsForBacklog() {
        return catchUpMaxReadings > batchMaxReadings;
    }
}
