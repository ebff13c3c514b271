package com.oviron.callidus.cloud.paho;

import com.oviron.callidus.cloud.MessageListener;
import com.oviron.callidus.cloud.MessageProperties;
import com.oviron.callidus.cloud.Topics;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.tinylog.Logger;

/**
 * The subscriptions of a connection, kept for its life and made again on every session; what arrives goes to
 * every subscription whose filter matches. Listeners run on the connection's thread.
 */
final class Subscriptions {
    /** A subscription kept for the life of the connection. */
    record Subscription(String filter, int qos, MessageListener listener) {
    }

    private final List<Subscription> all = new CopyOnWriteArrayList<>();

    Subscription add(String filter, int qos, MessageListener listener) {
        Subscription s = new Subscription(filter, qos, listener);
        all.add(s);
        return s;
    }

    /**
     * Makes every subscription on a new session; {@code allAnswered} runs once the broker answered each (or at
     * once, if there is none), on whichever thread answered last, with whether every one was granted.
     */
    void subscribeAll(ProtocolClient client, Consumer<Boolean> allAnswered) {
        List<Subscription> current = List.copyOf(all);
        if (current.isEmpty()) {
            allAnswered.accept(true);
            return;
        }
        AtomicInteger awaiting = new AtomicInteger(current.size());
        AtomicBoolean granted = new AtomicBoolean(true);
        for (Subscription s : current) {
            subscribe(client, s, ok -> {
                if (!ok) {
                    granted.set(false);
                }
                if (awaiting.decrementAndGet() == 0) {
                    allAnswered.accept(granted.get());
                }
            });
        }
    }

    /**
     * Makes one subscription; {@code answered} runs once the broker answered, or the attempt failed, with whether
     * it was granted.
     */
    static void subscribe(ProtocolClient client, Subscription s, Consumer<Boolean> answered) {
        client.subscribe(s.filter(), s.qos(), error -> {
            if (error == null) {
                Logger.info("mqtt subscribed filter={}", s.filter());
            } else {
                Logger.warn("mqtt subscribe failed filter={} error={}", s.filter(), error.getMessage());
            }
            answered.accept(error == null);
        });
    }

    void dispatch(String topic, byte[] payload, MessageProperties properties) {
        for (Subscription s : all) {
            if (Topics.matches(s.filter(), topic)) {
                try {
                    s.listener().arrived(topic, payload, properties);
                } catch (RuntimeException e) {
                    Logger.error(e, "message listener failed topic={}", topic);
                }
            }
        }
    }

    void tooLarge(String topic, long bytes) {
        for (Subscription s : all) {
            if (Topics.matches(s.filter(), topic)) {
                try {
                    s.listener().tooLarge(topic, bytes);
                } catch (RuntimeException e) {
                    Logger.error(e, "message listener failed on a dropped message topic={}", topic);
                }
            }
        }
    }
}
