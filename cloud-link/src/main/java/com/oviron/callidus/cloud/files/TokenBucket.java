package com.oviron.callidus.cloud.files;

import java.util.function.LongSupplier;

/**
 * At most {@code perSecond} chunk publishes on average, bursts up to one second's worth; keeps file chunks
 * below the broker's per-connection quota next to telemetry. Not thread-safe: the transfer thread owns it.
 */
final class TokenBucket {
    private final double perSecond;
    private final LongSupplier nanoTime;
    private double tokens;
    private long last;

    /** @param perSecond publishes per second; 0 means no limit */
    TokenBucket(int perSecond, LongSupplier nanoTime) {
        if (perSecond < 0) {
            throw new IllegalArgumentException("perSecond must not be negative, got " + perSecond);
        }
        this.perSecond = perSecond;
        this.nanoTime = nanoTime;
        this.tokens = perSecond;
        this.last = nanoTime.getAsLong();
    }

    /** Takes a token if one is there and returns 0, or else how many nanoseconds until one will be. */
    long tryAcquire() {
        if (perSecond == 0) {
            return 0;
        }
        long now = nanoTime.getAsLong();
        tokens = Math.min(perSecond, tokens + (now - last) * perSecond / 1e9);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return (long) Math.ceil((1 - tokens) * 1e9 / perSecond);
    }
}
