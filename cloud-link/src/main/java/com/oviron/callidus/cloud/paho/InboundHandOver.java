package com.oviron.callidus.cloud.paho;

import com.oviron.callidus.cloud.MessageProperties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Hands arrived messages from the MQTT client's callback thread to the connection's own thread, within a
 * budget of bytes. While the budget is spent, the callback thread waits: the client stops reading, and TCP
 * makes the broker hold the rest. A flood of messages therefore cannot fill the heap. There is always room
 * for one message of the largest size read.
 */
final class InboundHandOver {
    /** Where arrived messages go, on the target's thread. */
    interface Delivery {
        void deliver(String topic, byte[] payload, MessageProperties properties);
    }

    private final Semaphore bytes;
    private final ExecutorService target;
    private final Delivery deliver;

    /** @param budget bytes of arrived messages that may wait for {@code target} at once */
    InboundHandOver(int budget, ExecutorService target, Delivery deliver) {
        this.bytes = new Semaphore(budget);
        this.target = target;
        this.deliver = deliver;
    }

    /** For messages without properties. */
    InboundHandOver(int budget, ExecutorService target, BiConsumer<String, byte[]> deliver) {
        this(budget, target, (topic, payload, properties) -> deliver.accept(topic, payload));
    }

    /** Called on the client's callback thread; waits while the budget is spent, returns when handed over. */
    void handOver(String topic, byte[] payload) {
        handOver(topic, payload, MessageProperties.NONE);
    }

    /** As {@link #handOver(String, byte[])}, with the message's properties. */
    void handOver(String topic, byte[] payload, MessageProperties properties) {
        int cost = Math.max(1, payload.length);
        try {
            while (!bytes.tryAcquire(cost, 100, TimeUnit.MILLISECONDS)) {
                if (target.isShutdown()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            target.execute(() -> {
                try {
                    deliver.deliver(topic, payload, properties);
                } finally {
                    bytes.release(cost);
                }
            });
        } catch (RejectedExecutionException closed) {
            bytes.release(cost);
        }
    }

    /** Bytes that may still be handed over without waiting. */
    int available() {
        return bytes.availablePermits();
    }
}
