package com.oviron.callidus.hal.fake;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that moves only when told to: tests and benchmarks drive time-dependent code (sample periods,
 * hold-offs, simulated signals) without sleeping. Thread-safe. Always UTC.
 */
public final class ManualClock extends Clock {
    private volatile Instant now;

    public ManualClock(Instant start) {
        this.now = start;
    }

    /** Starts at 2026-11-21T08:00:00Z. */
    public ManualClock() {
        this(Instant.parse("2026-11-21T08:00:00Z"));
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }

    /** Moves the clock forward (or back, with a negative duration). */
    public synchronized void advance(Duration by) {
        now = now.plus(by);
    }

    /** Sets the clock to an instant. */
    public void set(Instant instant) {
        now = instant;
    }
}
