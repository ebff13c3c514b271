package com.oviron.callidus.cloud;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Lets one kind of failure be logged once per interval instead of in a flood (a storm of commands, a full
 * queue, a broker sending oversized messages): the first occurrence is logged, then at most one line per
 * interval that says how many were left out since. Thread-safe; one instance per kind of failure.
 */
public final class IntervalLog {
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private boolean logged;
    private long lastLineNanos;
    private long suppressed;

    public IntervalLog(Duration interval) {
        this(interval, System::nanoTime);
    }

    public IntervalLog(Duration interval, LongSupplier nanoTime) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must not be negative, got " + interval);
        }
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * Records one occurrence.
     *
     * @return -1 if this occurrence is not to be logged; otherwise how many occurrences were not logged since
     *     the last line (log it as {@code suppressed=...})
     */
    public synchronized long occurred() {
        long now = nanoTime.getAsLong();
        if (logged && now - lastLineNanos < intervalNanos) {
            suppressed++;
            return -1;
        }
        logged = true;
        lastLineNanos = now;
        long left = suppressed;
        suppressed = 0;
        return left;
    }
}
