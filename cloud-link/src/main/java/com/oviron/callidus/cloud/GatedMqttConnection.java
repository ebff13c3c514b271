package com.oviron.callidus.cloud;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * The connection as a cloud service sees it when the subscription decides (issue 6): while {@code gate} says
 * no, it is "not connected" for that service — publishes fail at once with {@link NotConnectedException} and
 * its listeners have been told {@code disconnected} — and when the gate opens again on a live session they are
 * told {@code connected}, as after a reconnect, so that each service resumes the way it always does. Incoming
 * messages and subscriptions pass through (the command channel decides per command).
 *
 * <p>Call {@link #recheck()} when the gate may have changed (the agent does on every subscription change and
 * once a minute).
 */
public final class GatedMqttConnection implements MqttConnection {
    private final MqttConnection delegate;
    private final BooleanSupplier gate;
    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private boolean announcedUp;

    public GatedMqttConnection(MqttConnection delegate, BooleanSupplier gate) {
        this.delegate = delegate;
        this.gate = gate;
        delegate.addListener(new ConnectionListener() {
            @Override
            public void connected() {
                recheck();
            }

            @Override
            public void disconnected(String reason) {
                announce(false, reason);
            }
        });
    }

    /** Tells the listeners if the service's view changed (gate opened or closed while connected). */
    public void recheck() {
        boolean up = delegate.isConnected() && gate.getAsBoolean();
        announce(up, "the subscription does not cover cloud services now");
    }

    private void announce(boolean up, String reason) {
        synchronized (this) {
            if (up == announcedUp) {
                return;
            }
            announcedUp = up;
        }
        for (ConnectionListener l : listeners) {
            if (up) {
                l.connected();
            } else {
                l.disconnected(reason);
            }
        }
    }

    @Override
    public void start() {
        delegate.start();
    }

    @Override
    public boolean isConnected() {
        return delegate.isConnected() && gate.getAsBoolean();
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retained) {
        if (!gate.getAsBoolean()) {
            return CompletableFuture.failedFuture(new NotConnectedException(
                    "the subscription does not cover cloud services now"));
        }
        return delegate.publish(topic, payload, qos, retained);
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retained,
                                           MessageProperties properties) {
        if (!gate.getAsBoolean()) {
            return CompletableFuture.failedFuture(new NotConnectedException(
                    "the subscription does not cover cloud services now"));
        }
        return delegate.publish(topic, payload, qos, retained, properties);
    }

    @Override
    public void subscribe(String filter, int qos, MessageListener listener) {
        delegate.subscribe(filter, qos, listener);
    }

    @Override
    public void addListener(ConnectionListener listener) {
        listeners.add(listener);
        boolean up;
        synchronized (this) {
            up = announcedUp;
        }
        if (up) {
            listener.connected();
        }
    }

    @Override
    public LinkStats stats() {
        return delegate.stats();
    }

    /** Does nothing: the connection belongs to the agent, which closes the real one. */
    @Override
    public void close() {
    }
}
