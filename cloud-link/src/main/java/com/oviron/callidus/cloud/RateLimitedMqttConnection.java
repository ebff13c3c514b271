package com.oviron.callidus.cloud;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Keeps every publish of the unit (telemetry, replies, files, live data) below one connection-wide rate, so
 * that all parts together stay under the broker's quota (AWS IoT Core: 100 publishes per second per
 * connection). Publishes go out in the order they were asked for; one that must wait is held in a bounded
 * queue and sent from this object's own thread ("mqtt-rate") when a token is there. Everything else is passed
 * through.
 */
public final class RateLimitedMqttConnection implements MqttConnection {
    /** Publishes held at most; beyond it a publish fails at once (callers have windows far below). */
    public static final int MAX_QUEUED = 2_000;

    private record Held(String topic, byte[] payload, int qos, boolean retained, CompletableFuture<Void> result) {
    }

    private final MqttConnection delegate;
    private final PublishRateLimiter limiter;
    private final ScheduledExecutorService timer;
    private final Deque<Held> queue = new ArrayDeque<>();
    private boolean drainScheduled;
    private boolean closed;

    /** @param perSecond publishes per second at most over the whole connection; 0 means no limit */
    public RateLimitedMqttConnection(MqttConnection delegate, int perSecond) {
        this(delegate, perSecond, System::nanoTime);
    }

    RateLimitedMqttConnection(MqttConnection delegate, int perSecond, LongSupplier nanoTime) {
        this.delegate = delegate;
        this.limiter = new PublishRateLimiter(perSecond, nanoTime);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mqtt-rate");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void start() {
        delegate.start();
    }

    @Override
    public boolean isConnected() {
        return delegate.isConnected();
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retained) {
        Held held;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new NotConnectedException("connection closed"));
            }
            if (queue.isEmpty() && limiter.tryAcquire() == 0) {
                held = null;
            } else if (queue.size() >= MAX_QUEUED) {
                return CompletableFuture.failedFuture(new IllegalStateException("more than " + MAX_QUEUED
                        + " publishes wait for the rate limit"));
            } else {
                held = new Held(topic, payload, qos, retained, new CompletableFuture<>());
                queue.addLast(held);
                scheduleDrain(0);
            }
        }
        if (held == null) {
            return delegate.publish(topic, payload, qos, retained);
        }
        return held.result();
    }

    /** How many publishes wait for a token now. */
    public synchronized int queued() {
        return queue.size();
    }

    private void scheduleDrain(long delayNanos) {
        if (drainScheduled || closed) {
            return;
        }
        drainScheduled = true;
        try {
            timer.schedule(this::drain, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            drainScheduled = false;
        }
    }

    private void drain() {
        while (true) {
            Held next;
            synchronized (this) {
                drainScheduled = false;
                if (queue.isEmpty() || closed) {
                    return;
                }
                long wait = limiter.tryAcquire();
                if (wait > 0) {
                    scheduleDrain(wait);
                    return;
                }
                next = queue.pollFirst();
            }
            delegate.publish(next.topic(), next.payload(), next.qos(), next.retained()).whenComplete((ok, e) -> {
                if (e != null) {
                    next.result().completeExceptionally(e);
                } else {
                    next.result().complete(null);
                }
            });
        }
    }

    @Override
    public void subscribe(String filter, int qos, MessageListener listener) {
        delegate.subscribe(filter, qos, listener);
    }

    @Override
    public void addListener(ConnectionListener listener) {
        delegate.addListener(listener);
    }

    @Override
    public void close() {
        Deque<Held> dropped;
        synchronized (this) {
            closed = true;
            dropped = new ArrayDeque<>(queue);
            queue.clear();
        }
        timer.shutdownNow();
        dropped.forEach(h -> h.result().completeExceptionally(new NotConnectedException("connection closed")));
        delegate.close();
    }
}
