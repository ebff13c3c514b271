package com.oviron.callidus.agent.subscription;

import com.oviron.callidus.hal.fake.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The unit's two clocks for tests: the wall clock, which people, NTP and a flat RTC battery set, and the
 * monotonic clock, which only runs. {@link #pass} moves both; {@link #setWall}/{@link #stepWall} move the wall
 * clock alone; {@link #newProcess} starts the monotonic clock from an arbitrary origin, as a restart does.
 */
final class FakeTime {
    final ManualClock wall;
    private final AtomicLong nanos = new AtomicLong(123_456_789L);

    FakeTime(Instant start) {
        wall = new ManualClock(start);
    }

    /** Real time passes: both clocks run. */
    void pass(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("time does not pass backwards");
        }
        wall.advance(d);
        nanos.addAndGet(d.toNanos());
    }

    /** Only the monotonic clock runs (the wall clock is held, e.g. by someone setting it again and again). */
    void passMonotonicOnly(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    void setWall(Instant t) {
        wall.set(t);
    }

    void stepWall(Duration d) {
        wall.advance(d);
    }

    Instant wallNow() {
        return wall.instant();
    }

    /** A new process: the monotonic clock's origin is arbitrary (it may even be negative). */
    void newProcess(long origin) {
        nanos.set(origin);
    }

    LongSupplier monotonic() {
        return nanos::get;
    }
}
