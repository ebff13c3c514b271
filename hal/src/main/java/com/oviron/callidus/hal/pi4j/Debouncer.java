package com.oviron.callidus.hal.pi4j;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * Software debounce of one input: a new raw level counts once it has stayed the same for the debounce time.
 * Timestamps are monotonic nanoseconds ({@link System#nanoTime()} in production) passed in by the caller,
 * so tests can give exact times. Not thread-safe: the port uses it from its event thread only.
 */
final class Debouncer {
    private final long debounceNanos;
    private boolean stable;
    private boolean raw;
    private long rawSince;

    Debouncer(Duration debounce, boolean initial) {
        this.debounceNanos = debounce.toNanos();
        this.stable = initial;
        this.raw = initial;
    }

    /**
     * Records the raw level seen at {@code atNanos}. The same level again is no edge and changes nothing.
     *
     * @return {@code true} if the debounced state changed now, which happens only with a zero debounce
     */
    boolean raw(boolean level, long atNanos) {
        if (level == raw) {
            return false;
        }
        raw = level;
        rawSince = atNanos;
        return poll(atNanos);
    }

    /**
     * Accepts the pending raw level if it has stayed for the debounce time by {@code nowNanos}.
     *
     * @return {@code true} if the debounced state changed
     */
    boolean poll(long nowNanos) {
        if (raw != stable && nowNanos - rawSince >= debounceNanos) {
            stable = raw;
            return true;
        }
        return false;
    }

    /** When {@link #poll(long)} will accept the pending level, if a level different from the stable one is pending. */
    OptionalLong pendingUntil() {
        return raw == stable ? OptionalLong.empty() : OptionalLong.of(rawSince + debounceNanos);
    }

    /** The last raw level seen. */
    boolean rawLevel() {
        return raw;
    }

    /** The debounced level. */
    boolean stable() {
        return stable;
    }
}
