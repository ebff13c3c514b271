package com.oviron.callidus.cloud.paho;

import com.oviron.callidus.cloud.ConnectionListener;
import com.oviron.callidus.cloud.IntervalLog;
import com.oviron.callidus.cloud.LinkStats;
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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 *
 * <p>The socket is guarded ({@link LinkGuard}, docs/adr/0015): a message larger than
 * {@link LinkSettings#maxIncomingPayload} is dropped unread (Paho acknowledges an empty stand-in), counted,
 * logged once a minute and reported to the subscribers of its topic ({@code MessageListener.tooLarge}). A
 * watchdog on "mqtt-link" cuts the socket when the broker has sent nothing for 1.5 keep-alive intervals (Paho
 * pings after one interval of silence, so a live broker always answers within that), and a connect attempt
 * that got no CONNACK within the connect timeout; reconnecting then goes on with the usual backoff. Paho's own
 * log lines go to tinylog ({@link PahoLogBridge}).
 */
public final class PahoMqttConnection implements MqttConnection {
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);
    private static final int RETRIES_PER_WARNING = 10;
    /** How long Paho may take to report the end of a connection whose socket the watchdog cut. */
    private static final Duration CUT_GRACE = Duration.ofSeconds(5);
    private static final Duration OVERSIZED_LOG_INTERVAL = Duration.ofMinutes(1);
    private static final int INBOUND_QUEUE_BYTES = 4 * 1024 * 1024;
    private static final int PAHO_TIMEOUT_MARGIN_S = 2;

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
    private final javax.net.SocketFactory socketFactory;
    private final LinkGuard guard;
    private final IntervalLog oversizedLog = new IntervalLog(OVERSIZED_LOG_INTERVAL);
    private final AtomicLong oversized = new AtomicLong();
    private final AtomicLong silentCloses = new AtomicLong();
    private final AtomicLong abandonedConnects = new AtomicLong();
    private final InboundHandOver inbound;
    private final LinkWatchdog watch;

    // state below: only touched on the executor (volatile for isConnected() readers)
    private volatile boolean connected;
    private boolean connecting;
    private boolean closing;
    private int attempt;
    private ScheduledFuture<?> pendingReconnect;
    private ScheduledFuture<?> watchdog;
    private int connectGeneration;
    /** Written on the link's executor, read by tests and diagnostics. */
    private volatile String lastFailure = "";

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
        PahoLogBridge.install();
        this.inbound = new InboundHandOver(Math.max(INBOUND_QUEUE_BYTES, 2 * settings.maxIncomingPayload()), executor,
                this::dispatch);
        // Paho takes whole seconds
        this.watch = new LinkWatchdog(Duration.ofSeconds(settings.keepAlive().toSeconds()),
                Duration.ofSeconds(Math.max(1, settings.connectTimeout().toSeconds())), CUT_GRACE);
        this.guard = new LinkGuard(settings.maxIncomingPayload(), false, System::nanoTime,
                (topic, qos, bytes) -> {
                    oversized.incrementAndGet();
                    post(() -> onOversized(topic, qos, bytes));
                });
        try {
            this.socketFactory = settings.tls().isPresent()
                    ? guard.tlsSockets(TlsContexts.socketFactory(settings.tls().get()))
                    : guard.plainSockets();
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
                post(() -> onClientLostConnection(cause));
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                byte[] payload = message.getPayload();
                if (guard.dropped(payload)) {
                    return; // the stand-in of a message too large to read: reported when it was dropped
                }
                inbound.handOver(topic, payload); // waits while 4 MiB wait for "mqtt-link"
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // completion is handled per publish through its action listener
            }
        });
    }

    @Override
    public void start() {
        long tick = Math.max(50, Math.min(1000, Math.min(settings.keepAlive().toMillis(),
                settings.connectTimeout().toMillis()) / 10));
        executor.execute(() -> {
            if (watchdog == null && !closing) {
                watchdog = executor.scheduleWithFixedDelay(this::watch, tick, tick, TimeUnit.MILLISECONDS);
            }
        });
        executor.execute(this::connect);
    }

    @Override
    public LinkStats stats() {
        return new LinkStats(oversized.get(), silentCloses.get(), abandonedConnects.get(), 0, 0);
    }

    /** Runs on "mqtt-link"; after close, Paho's late callbacks have nowhere to go and are dropped. */
    private void post(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException closed) {
            // the connection is closed
        }
    }

    /** The watchdog's tick on "mqtt-link" ({@link LinkWatchdog}). */
    private void watch() {
        if (closing) {
            return;
        }
        switch (watch.check(System.nanoTime(), guard.lastInboundNanos())) {
            case CUT_SILENT_SESSION -> {
                silentCloses.incrementAndGet();
                guard.abort();
                lose("broker silent for " + watch.lastSilenceMillis() + " ms (limit 1.5 x keepAlive = "
                        + watch.silenceLimitMillis() + " ms); connection closed");
            }
            case CUT_CONNECT -> {
                abandonedConnects.incrementAndGet();
                guard.abort();
            }
            case GIVE_UP_CONNECT -> {
                // Paho did not report the end of the attempt whose socket was cut: give it up here
                connectGeneration++;
                connecting = false;
                forceDisconnect();
                scheduleReconnect("connect failed: " + abandonedReason());
            }
            case CLEAN_UP_CUT_SESSION -> forceDisconnect(); // Paho never reported the cut session
            case NOTHING -> {
                // all well
            }
        }
    }

    private String abandonedReason() {
        return "no CONNACK within the connect timeout (" + watch.connectTimeoutMillis() + " ms); attempt abandoned";
    }

    private void forceDisconnect() {
        try {
            client.disconnectForcibly(0, 1000, false);
        } catch (MqttException | RuntimeException e) {
            Logger.debug("mqtt forced disconnect error={}", describe(e));
        }
    }

    /** A message too large to read was dropped on Paho's receiving thread. */
    private void onOversized(String topic, int qos, long bytes) {
        long suppressed = oversizedLog.occurred();
        if (suppressed >= 0) {
            Logger.warn("mqtt incoming message too large, dropped unread topic={} qos={} bytes={} maxBytes={}"
                    + " droppedSinceStart={} notLogged={}", topic, qos, bytes, settings.maxIncomingPayload(),
                    oversized.get(), suppressed);
        }
        for (Subscription s : subscriptions) {
            if (com.oviron.callidus.cloud.Topics.matches(s.filter(), topic)) {
                try {
                    s.listener().tooLarge(topic, bytes);
                } catch (RuntimeException e) {
                    Logger.error(e, "message listener failed on a dropped message topic={}", topic);
                }
            }
        }
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

    /** Why the last connect attempt failed or the last session ended, in a technician's words; "" before. */
    String lastFailure() {
        return lastFailure;
    }

    private void connect() {
        if (closing || connected || connecting) {
            return;
        }
        pendingReconnect = null;
        if (watch.sessionCutPending()) {
            // wait for Paho to finish the cut session (it reports it within a moment); the watchdog gives up
            // waiting after a grace period
            pendingReconnect = executor.schedule(this::connect, 100, TimeUnit.MILLISECONDS);
            return;
        }
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(!settings.persistentSession());
        options.setAutomaticReconnect(false);
        options.setKeepAliveInterval((int) settings.keepAlive().toSeconds());
        // Paho's own bound (TCP connect, TLS handshake) is a backstop behind the watchdog, which ends the
        // whole attempt, CONNACK included, after the connect timeout
        options.setConnectionTimeout((int) Math.max(1, settings.connectTimeout().toSeconds()) + PAHO_TIMEOUT_MARGIN_S);
        options.setMaxInflight(settings.maxInflight());
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setSocketFactory(socketFactory);
        if (settings.tls().isPresent()) {
            options.setHttpsHostnameVerificationEnabled(settings.tls().get().hostnameVerification());
        }
        settings.username().ifPresent(options::setUserName);
        settings.password().ifPresent(p -> options.setPassword(p.toCharArray()));
        long now = clock.millis();
        options.setWill(statusTopic, willStatus.apply(now).encode(), 1, true);
        connecting = true;
        watch.attemptStarted(System.nanoTime());
        int generation = ++connectGeneration;
        try {
            client.connect(options, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    post(() -> onConnected(generation));
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    post(() -> onConnectFailed(generation, cause));
                }
            });
        } catch (MqttException | RuntimeException e) {
            onConnectFailed(generation, e);
        }
    }

    private void onConnected(int generation) {
        if (generation != connectGeneration) {
            forceDisconnect(); // an attempt given up long ago succeeded after all: not the session we keep
            return;
        }
        connecting = false;
        if (closing) {
            return;
        }
        connected = true;
        watch.sessionUp(System.nanoTime());
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

    private void onConnectFailed(int generation, Throwable cause) {
        if (generation != connectGeneration) {
            return;
        }
        connecting = false;
        watch.down();
        if (closing) {
            return;
        }
        scheduleReconnect("connect failed: " + (watch.connectWasCut() ? abandonedReason() : describe(cause)));
    }

    /** Paho's report that the session ended. */
    private void onClientLostConnection(Throwable cause) {
        if (watch.clientReportedLoss()) {
            return; // the session the watchdog cut: already handled
        }
        if (!connected) {
            return;
        }
        lose(describe(cause));
    }

    private void lose(String why) {
        connected = false;
        watch.down();
        String reason = "connection lost: " + why;
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
        // a long outage must not flood the log: the first failure, a new cause, then every 10th are warnings
        boolean newCause = !reason.equals(lastFailure);
        lastFailure = reason;
        if (attempt % RETRIES_PER_WARNING == 0 || newCause) {
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
                    post(() -> result.complete(null));
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    post(() -> result.completeExceptionally(cause));
                }
            });
        } catch (MqttException e) {
            // Paho's in-flight window full is back-pressure; not connected any more, ...: the caller retries
            Throwable why = e.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT
                    ? new com.oviron.callidus.cloud.LinkBusyException("the MQTT client's in-flight window (mqtt.maxInflight "
                    + settings.maxInflight() + ") is full")
                    : e;
            post(() -> result.completeExceptionally(why));
        } catch (RuntimeException e) {
            post(() -> result.completeExceptionally(e));
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
            if (watchdog != null) {
                watchdog.cancel(false);
            }
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

    private String describe(Throwable cause) {
        return ConnectFailure.describe(cause, settings.brokerUri());
    }
}
