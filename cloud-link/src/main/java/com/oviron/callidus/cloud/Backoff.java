package com.oviron.callidus.cloud;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the n-th retry waits a random time between {@code 0} and
 * {@code min(max, initial * 2^n)}. The jitter spreads a fleet of units that lost the broker at the same
 * moment, so they do not all come back at the same moment.
 *
 * @param initial the cap of the first wait
 * @param max     the largest cap
 */
public record Backoff(Duration initial, Duration max) {
    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial backoff must be positive, got " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff " + max + " is below initial " + initial);
        }
    }

    /** The cap of the wait before retry number {@code attempt} (0 = first retry). */
    public Duration cap(int attempt) {
        long initialMs = initial.toMillis();
        int shift = Math.min(Math.max(attempt, 0), 30);
        long capMs = initialMs << shift;
        if (capMs <= 0 || capMs > max.toMillis() || (capMs >> shift) != initialMs) {
            capMs = max.toMillis();
        }
        return Duration.ofMillis(capMs);
    }

    /** The wait before retry number {@code attempt}: uniform in [0, cap]. */
    public Duration delay(int attempt, RandomGenerator random) {
        return Duration.ofMillis(random.nextLong(cap(attempt).toMillis() + 1));
    }
}
