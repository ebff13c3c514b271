package com.oviron.callidus.cloud.paho;

import com.oviron.callidus.cloud.ConnectionListener;
import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.MessageListener;
import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.cloud.NotConnectedException;
import com.oviron.callidus.cloud.StatusMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.tinylog.Logger;

/**
 * The broker session on Eclipse Paho's MQTT v3 async client.
 *
 * <p>Every piece of state lives on one thread, "mqtt-link". Paho calls back on its own threads and
 * deadlocks if called from inside a callback (Paho issues #310, #985), so every callback here only posts
 * to "mqtt-link". Reconnecting is ours, not Paho's: Paho's automatic reconnect has no jitter and does not
 * cover a failed first connect.
 *
 * <p>Paho keeps messages in memory only: the durable copy of telemetry is the outbox, which resends what
 * was not acknowledged.
 */
public final class PahoMqttConnection implements MqttConnection {
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);
    private static final int RETRIES_PER_WARNING = 10;

    private final LinkSettings settings;
    private final String statusTopic;
    private final Function<Long, StatusMessage> onlineStatus;
    private final Function<Long, StatusMessage> willStatus;
    private final StatusMessage shutdownStatus;
    private final Clock clock;
    private final Random random = new Random();
    private final ScheduledExecutorService executor;
    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final MqttAsyncClient client;
    private final javax.net.ssl.SSLSocketFactory socketFactory;

    // state below: only touched on the executor (volatile for isConnected() readers)
    private volatile boolean connected;
    private boolean connecting;
    private boolean closing;
    private int attempt;
    private ScheduledFuture<?> pendingReconnect;

    /**
     * @param statusTopic    where the retained online/offline message goes (also the last-will topic)
     * @param deviceId       the unit, for the status messages
     * @param agentVersion   the agent's version, for the status messages
     */
    public PahoMqttConnection(LinkSettings settings, String statusTopic, String deviceId, String agentVersion,
                              Clock clock) {
        this.settings = settings;
        this.statusTopic = statusTopic;
        this.clock = clock;
        this.onlineStatus = at -> new StatusMessage(deviceId, true, agentVersion, at, "connected");
        this.willStatus = at -> new StatusMessage(deviceId, false, agentVersion, at, "connection-lost");
        this.shutdownStatus = new StatusMessage(deviceId, false, agentVersion, 0, "shutdown");
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mqtt-link");
            t.setDaemon(true);
            return t;
        });
        try {
            this.socketFactory = settings.tls().isPresent() ? TlsContexts.socketFactory(settings.tls().get()) : null;
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            executor.shutdownNow();
            throw new IllegalArgumentException("cannot set up TLS for " + settings.brokerUri() + ": " + e.getMessage(),
                    e);
        }
        try {
            this.client = new MqttAsyncClient(settings.brokerUri(), settings.clientId(), new MemoryPersistence());
        } catch (MqttException e) {
            executor.shutdownNow();
            throw new IllegalArgumentException("cannot create MQTT client for " + settings.brokerUri() + ": "
                    + e.getMessage(), e);
        }
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                executor.execute(() -> onConnectionLost(cause));
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                byte[] payload = message.getPayload();
                executor.execute(() -> dispatch(topic, payload));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // completion is handled per publish through its action listener
            }
        });
    }

    @Override
    public void start() {
        executor.execute(this::connect);
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public void addListener(ConnectionListener listener) {
        listeners.add(listener);
        executor.execute(() -> {
            if (connected) {
                listener.connected();
            }
        });
    }

    private void connect() {
        if (closing || connected || connecting) {
            return;
        }
        pendingReconnect = null;
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(!settings.persistentSession());
        options.setAutomaticReconnect(false);
        options.setKeepAliveInterval((int) settings.keepAlive().toSeconds());
        options.setConnectionTimeout((int) Math.max(1, settings.connectTimeout().toSeconds()));
        options.setMaxInflight(settings.maxInflight());
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        if (socketFactory != null) {
            options.setSocketFactory(socketFactory);
            options.setHttpsHostnameVerificationEnabled(settings.tls().orElseThrow().hostnameVerification());
        }
        settings.username().ifPresent(options::setUserName);
        settings.password().ifPresent(p -> options.setPassword(p.toCharArray()));
        long now = clock.millis();
        options.setWill(statusTopic, willStatus.apply(now).encode(), 1, true);
        connecting = true;
        try {
            client.connect(options, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    executor.execute(PahoMqttConnection.this::onConnected);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    executor.execute(() -> onConnectFailed(cause));
                }
            });
        } catch (MqttException e) {
            onConnectFailed(e);
        }
    }

    private void onConnected() {
        connecting = false;
        if (closing) {
            return;
        }
        connected = true;
        attempt = 0;
        Logger.info("mqtt connected broker={} clientId={}", settings.brokerUri(), settings.clientId());
        // "online" is announced once every subscription is acknowledged: a cloud that waits for it knows
        // that commands sent from then on reach the unit (also on the very first connect of a new session)
        java.util.List<Subscription> current = java.util.List.copyOf(subscriptions);
        java.util.concurrent.atomic.AtomicInteger awaiting = new java.util.concurrent.atomic.AtomicInteger(
                current.size());
        Runnable announce = () -> publish(statusTopic, onlineStatus.apply(clock.millis()).encode(), 1, true)
                .whenComplete((ok, e) -> {
                    if (e != null) {
                        Logger.warn("mqtt online status not published error={}", e.getMessage());
                    }
                });
        if (current.isEmpty()) {
            announce.run();
        }
        for (Subscription s : current) {
            subscribeNow(s, () -> {
                if (awaiting.decrementAndGet() == 0) {
                    executor.execute(announce);
                }
            });
        }
        for (ConnectionListener l : listeners) {
            l.connected();
        }
    }

    private void onConnectFailed(Throwable cause) {
        connecting = false;
        if (closing) {
            return;
        }
        scheduleReconnect("connect failed: " + describe(cause));
    }

    private void onConnectionLost(Throwable cause) {
        if (!connected) {
            return;
        }
        connected = false;
        String reason = "connection lost: " + describe(cause);
        for (ConnectionListener l : listeners) {
            l.disconnected(reason);
        }
        if (!closing) {
            scheduleReconnect(reason);
        }
    }

    private void scheduleReconnect(String reason) {
        if (pendingReconnect != null) {
            return;
        }
        Duration delay = settings.backoff().delay(attempt, random);
        // a long outage must not flood the log: the first failure, then every 10th, are warnings
        if (attempt % RETRIES_PER_WARNING == 0) {
            Logger.warn("mqtt {} broker={} attempt={} retryInMs={}", reason, settings.brokerUri(), attempt + 1,
                    delay.toMillis());
        } else {
            Logger.debug("mqtt {} broker={} attempt={} retryInMs={}", reason, settings.brokerUri(), attempt + 1,
                    delay.toMillis());
        }
        attempt++;
        pendingReconnect = executor.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A subscription kept for the life of the connection. */
    private record Subscription(String filter, int qos, MessageListener listener) {
    }

    @Override
    public void subscribe(String filter, int qos, MessageListener listener) {
        Subscription s = new Subscription(filter, qos, listener);
        subscriptions.add(s);
        executor.execute(() -> {
            if (connected) {
                subscribeNow(s, () -> { });
            }
        });
    }

    /** Subscribes; {@code done} runs once the broker answered (or the attempt failed), on Paho's thread. */
    private void subscribeNow(Subscription s, Runnable done) {
        try {
            client.subscribe(s.filter(), s.qos(), null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    Logger.info("mqtt subscribed filter={}", s.filter());
                    done.run();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    Logger.warn("mqtt subscribe failed filter={} error={}", s.filter(), describe(cause));
                    done.run();
                }
            });
        } catch (MqttException e) {
            Logger.warn("mqtt subscribe failed filter={} error={}", s.filter(), describe(e));
            done.run();
        }
    }

    private void dispatch(String topic, byte[] payload) {
        for (Subscription s : subscriptions) {
            if (com.oviron.callidus.cloud.Topics.matches(s.filter(), topic)) {
                try {
                    s.listener().arrived(topic, payload);
                } catch (RuntimeException e) {
                    Logger.error(e, "message listener failed topic={}", topic);
                }
            }
        }
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retained) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        if (!connected) {
            result.completeExceptionally(new NotConnectedException("not connected to " + settings.brokerUri()));
            return result;
        }
        try {
            client.publish(topic, payload, qos, retained, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    executor.execute(() -> result.complete(null));
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    executor.execute(() -> result.completeExceptionally(cause));
                }
            });
        } catch (MqttException | RuntimeException e) {
            // client not connected any more, too many in flight, ...: the caller retries
            executor.execute(() -> result.completeExceptionally(e));
        }
        return result;
    }

    @Override
    public void close() {
        if (executor.isShutdown()) {
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        executor.execute(() -> {
            closing = true;
            if (pendingReconnect != null) {
                pendingReconnect.cancel(false);
                pendingReconnect = null;
            }
            done.complete(null);
        });
        try {
            done.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (connected) {
                StatusMessage offline = new StatusMessage(shutdownStatus.deviceId(), false,
                        shutdownStatus.agentVersion(), clock.millis(), "shutdown");
                try {
                    client.publish(statusTopic, offline.encode(), 1, true)
                            .waitForCompletion(CLOSE_TIMEOUT.toMillis());
                } catch (MqttException e) {
                    Logger.warn("mqtt offline status not published error={}", e.getMessage());
                }
                client.disconnect(CLOSE_TIMEOUT.toMillis()).waitForCompletion(CLOSE_TIMEOUT.toMillis() + 500);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            Logger.warn("mqtt disconnect failed error={}", e.getMessage());
        } finally {
            connected = false;
            try {
                client.disconnectForcibly(100, 100);
            } catch (MqttException ignored) {
                // already disconnected
            }
            try {
                client.close(true);
            } catch (MqttException e) {
                Logger.warn("mqtt client close failed error={}", e.getMessage());
            }
            executor.shutdownNow();
            Logger.info("mqtt closed broker={}", settings.brokerUri());
        }
    }

    private static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown";
        }
        if (cause instanceof MqttException m && m.getCause() != null) {
            return m.getMessage() + " (" + m.getCause().getMessage() + ")";
        }
        return String.valueOf(cause.getMessage());
    }
}
