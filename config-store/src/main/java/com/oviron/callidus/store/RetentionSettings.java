package com.oviron.callidus.store;

import java.time.Duration;
import java.util.Objects;

/**
 * How much telemetry the store keeps. When the readings take more than {@code maxBytes}, or are older than
 * {@code maxAge}, the oldest raw readings go first, acknowledged or not; what they were is kept as per-minute
 * aggregates (per channel: count of values, min, max and sum, so mean = sum / count) for
 * {@code aggregateMaxAge}, and their number is counted.
 * The database file also has a hard ceiling 25 % above {@code maxBytes}: reaching it (or a full disk) makes
 * the store drop by the same rule at once instead of failing.
 *
 * @param maxBytes        the size the readings may take (at least 1 MB)
 * @param maxAge          the age after which raw readings are dropped
 * @param aggregateMaxAge the age after which aggregates of dropped readings are removed too
 */
public record RetentionSettings(long maxBytes, Duration maxAge, Duration aggregateMaxAge) {
    /** The smallest maxBytes: below it the store could not hold one group commit. */
    public static final long MIN_BYTES = 1024 * 1024;

    public RetentionSettings {
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(aggregateMaxAge, "aggregateMaxAge");
        if (maxBytes < MIN_BYTES) {
            throw new IllegalArgumentException("maxBytes must be at least " + MIN_BYTES + ", got " + maxBytes);
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive, got " + maxAge);
        }
        if (aggregateMaxAge.compareTo(maxAge) < 0) {
            throw new IllegalArgumentException("aggregateMaxAge " + aggregateMaxAge + " must not be below maxAge "
                    + maxAge);
        }
    }

    /** 512 MB, 30 days of raw readings, a year of aggregates. */
    public static RetentionSettings defaults() {
        return new RetentionSettings(512L * 1024 * 1024, Duration.ofDays(30), Duration.ofDays(365));
    }
}
