package com.oviron.callidus.cloud.fake;

import com.oviron.callidus.cloud.ConnectionListener;
import com.oviron.callidus.cloud.MessageListener;
import com.oviron.callidus.cloud.MessageProperties;
import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.cloud.NotConnectedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A broker session for tests: the test decides when it is up, and acknowledges or fails each publish by
 * hand. Listeners are called on the test's thread, as the real one calls them on its own. Like the real one, a
 * session that ends fails what it still owed with {@link NotConnectedException}.
 */
public final class FakeMqttConnection implements MqttConnection {

    /** A publish the code under test made, with the future the test completes. */
    public record Publish(String topic, byte[] payload, int qos, boolean retained, MessageProperties properties,
                          CompletableFuture<Void> result) {
        public void ack() {
            result.complete(null);
        }

        public void fail(String why) {
            result.completeExceptionally(new IllegalStateException(why));
        }

        /** The broker refused it (MQTT 5's PUBACK reason code). */
        public void refuse(String why) {
            result.completeExceptionally(new com.oviron.callidus.cloud.PublishRefusedException(why));
        }

        /** The broker refused it with this MQTT 5 reason code. */
        public void refuse(int reasonCode, String why) {
            result.completeExceptionally(new com.oviron.callidus.cloud.PublishRefusedException(reasonCode, why));
        }

        /** A queue on the unit was full: back-pressure. */
        public void busy(String why) {
            result.completeExceptionally(new com.oviron.callidus.cloud.LinkBusyException(why));
        }
    }

    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Publish> publishes = new ArrayList<>();
    private volatile boolean connected;
    private volatile boolean started;
    private volatile boolean closed;

    @Override
    public void start() {
        started = true;
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retained) {
        return publish(topic, payload, qos, retained, MessageProperties.NONE);
    }

    @Override
    public synchronized CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retained,
                                                        MessageProperties properties) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        if (!connected) {
            result.completeExceptionally(new NotConnectedException("fake is disconnected"));
            return result;
        }
        publishes.add(new Publish(topic, payload.clone(), qos, retained, properties, result));
        return result;
    }

    private final List<Object[]> subscriptions = new CopyOnWriteArrayList<>();

    @Override
    public void subscribe(String filter, int qos, MessageListener listener) {
        subscriptions.add(new Object[] {filter, listener});
    }

    /** Tells the matching subscriptions that a message too large to read was dropped, on the caller's thread. */
    public void deliverTooLarge(String topic, long payloadBytes) {
        for (Object[] s : subscriptions) {
            if (com.oviron.callidus.cloud.Topics.matches((String) s[0], topic)) {
                ((MessageListener) s[1]).tooLarge(topic, payloadBytes);
            }
        }
    }

    /** Delivers a message to the matching subscriptions, on the caller's thread. */
    public void deliver(String topic, byte[] payload) {
        deliver(topic, payload, MessageProperties.NONE);
    }

    /** Delivers a message with MQTT 5 properties to the matching subscriptions, on the caller's thread. */
    public void deliver(String topic, byte[] payload, MessageProperties properties) {
        for (Object[] s : subscriptions) {
            if (com.oviron.callidus.cloud.Topics.matches((String) s[0], topic)) {
                ((MessageListener) s[1]).arrived(topic, payload, properties);
            }
        }
    }

    @Override
    public void addListener(ConnectionListener listener) {
        listeners.add(listener);
        if (connected) {
            listener.connected();
        }
    }

    /** Brings the session up and tells the listeners. */
    public void connect() {
        connected = true;
        listeners.forEach(ConnectionListener::connected);
    }

    /**
     * Drops the session: fails every publish still unanswered with {@link NotConnectedException} (as the real
     * connection does when a session ends), then tells the listeners.
     */
    public void disconnect(String reason) {
        connected = false;
        List<Publish> owed;
        synchronized (this) {
            owed = List.copyOf(publishes);
        }
        owed.forEach(p -> p.result().completeExceptionally(new NotConnectedException("the session ended: " + reason)));
        listeners.forEach(l -> l.disconnected(reason));
    }

    /** Every publish so far, oldest first. */
    public synchronized List<Publish> publishes() {
        return List.copyOf(publishes);
    }

    public boolean isStarted() {
        return started;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        connected = false;
    }
}
