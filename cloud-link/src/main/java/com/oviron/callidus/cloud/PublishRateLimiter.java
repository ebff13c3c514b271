package com.oviron.callidus.cloud;

import java.util.function.LongSupplier;

/**
 * A token bucket for publishes: at most {@code perSecond} on average, bursts up to one second's worth. Keeps
 * a reconnecting fleet from flattening the broker with its backlogs, and the agent below a managed broker's
 * quota (AWS IoT Core: 100 publishes per second per connection). Used by telemetry, file chunks and the
 * connection-wide limit. Not thread-safe: one thread owns each instance.
 */
public final class PublishRateLimiter {
    private final double perSecond;
    private final LongSupplier nanoTime;
    private double tokens;
    private long last;

    /** @param perSecond publishes per second; 0 means no limit */
    public PublishRateLimiter(int perSecond, LongSupplier nanoTime) {
        if (perSecond < 0) {
            throw new IllegalArgumentException("perSecond must not be negative, got " + perSecond);
        }
        this.perSecond = perSecond;
        this.nanoTime = nanoTime;
        this.tokens = perSecond;
        this.last = nanoTime.getAsLong();
    }

    /** Takes a token if one is there; returns 0, or else how many nanoseconds until one will be. */
    public long tryAcquire() {
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
