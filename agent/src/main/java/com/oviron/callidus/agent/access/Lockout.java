package com.oviron.callidus.agent.access;

import java.time.Duration;
import java.util.Objects;

/**
 * How long wrong PINs lock the PIN login: the first {@value #FREE_ATTEMPTS} wrong PINs cost nothing; the
 * {@value #FREE_ATTEMPTS}rd and each one after locks it for {@code first}, then twice as long each time, up to
 * {@code longest}. While locked, a PIN is not even compared. A right PIN clears the count. A technician token
 * still logs in while the PIN is locked.
 *
 * @param first   the first lock (default {@link #DEFAULT_FIRST}, 30 s)
 * @param longest the longest lock (default {@link #DEFAULT_LONGEST}, 1 h)
 */
public record Lockout(Duration first, Duration longest) {
    /** Wrong PINs before the first lock. */
    public static final int FREE_ATTEMPTS = 3;
    public static final Duration DEFAULT_FIRST = Duration.ofSeconds(30);
    public static final Duration DEFAULT_LONGEST = Duration.ofHours(1);

    public Lockout {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(longest, "longest");
        if (first.isNegative() || first.isZero() || longest.compareTo(first) < 0) {
            throw new IllegalArgumentException("a lockout needs 0 < first <= longest, got " + first + " and " + longest);
        }
    }

    public static Lockout defaults() {
        return new Lockout(DEFAULT_FIRST, DEFAULT_LONGEST);
    }

    /** The lock after the {@code failures}th wrong PIN in a row; zero when there is none. */
    public Duration after(int failures) {
        if (failures < FREE_ATTEMPTS) {
            return Duration.ZERO;
        }
        int doublings = Math.min(failures - FREE_ATTEMPTS, 30);
        Duration d = first.multipliedBy(1L << doublings);
        return d.compareTo(longest) > 0 ? longest : d;
    }
}
