package com.oviron.callidus.cloud.paho;

import com.oviron.callidus.cloud.ConnectionListener;
import com.oviron.callidus.cloud.LinkBusyException;
import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.LinkStats;
import com.oviron.callidus.cloud.MessageListener;
import com.oviron.callidus.cloud.MessageProperties;
import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.cloud.NotConnectedException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * The broker session on Eclipse Paho, in MQTT 5 or 3.1.1 ({@link LinkSettings#protocol()}), over a list of brokers
 * ({@link LinkSettings#brokerUris()}; docs/adr/0024).
 *
 * <p>Every piece of state lives on one thread, "mqtt-link". Paho calls back on its own threads and deadlocks if
 * called from inside a callback (Paho issues #310, #985), so every callback only posts to "mqtt-link".
 * Reconnecting is ours, not Paho's (ADR 0002): each attempt gets a new client ({@link ProtocolClient}: Paho's v3
 * or v5 client) for the broker and MQTT version {@link BrokerRotation} chooses; a session stays on its broker while
 * it works, and the next attempt after a loss or a failure goes to the next broker, after a backoff with full
 * jitter. Under {@code auto} a broker that does not take MQTT 5 is spoken to in 3.1.1.
 *
 * <p>Paho keeps messages in memory only: the durable copy of telemetry is the outbox, which resends what was not
 * acknowledged. What a session still owed when it ended fails ({@link PendingPublishes}: a refusal where the broker
 * refused, otherwise {@link NotConnectedException}).
 *
 * <p>The socket is guarded ({@link LinkGuard}, docs/adr/0015): a message larger than
 * {@link LinkSettings#maxIncomingPayload} is dropped unread (Paho acknowledges an empty stand-in), counted, logged
 * once a minute and reported to the subscribers of its topic ({@code MessageListener.tooLarge}); under MQTT 5 the
 * CONNECT also tells the broker the largest packet the unit takes. A watchdog on "mqtt-link" cuts the socket when
 * the broker has sent nothing for 1.5 keep-alive intervals, and a connect attempt that got no CONNACK within the
 * connect timeout. Paho's own log lines go to tinylog ({@link PahoLogBridge}).
 */
public final class PahoMqttConnection implements MqttConnection {
    /** Room for the fixed header, topic and properties of a message whose payload is at the incoming limit. */
    public static final int PACKET_HEADER_ALLOWANCE = 4096;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration CUT_GRACE = Duration.ofSeconds(5);
    private static final int INBOUND_QUEUE_BYTES = 4 * 1024 * 1024;

    /** The broker and MQTT version of the session that is up. */
    public record ActiveSession(String brokerUri, String protocol) {
    }

    /** A client and what it was made for. */
    private record Session(ProtocolClient client, BrokerRotation.Choice choice, int generation) {
    }

    private final LinkSettings settings;
    private final String statusTopic;
    private final Presence presence;
    private final ScheduledExecutorService executor;
    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private final Subscriptions subscriptions = new Subscriptions();
    /** The session whose subscriptions were all answered (confined to the connection's thread, like session). */
    private Session subscribedSession;
    private final javax.net.SocketFactory socketFactory;
    private final LinkGuard guard;
    private final BrokerRotation rotation;
    private final PendingPublishes pending = new PendingPublishes();
    private final LinkCounters counters = new LinkCounters();
    private final InboundHandOver inbound;
    private final LinkWatchdog watch;

    // state below: only touched on the executor (volatile for readers on other threads)
    private volatile Session session;
    private Session connecting;
    private boolean closing;
    private int generation;
    private final ReconnectTimer reconnect;
    private ScheduledFuture<?> watchdog;
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
        this.presence = new Presence(deviceId, agentVersion, clock);
        this.rotation = new BrokerRotation(settings.brokerUris(), settings.protocol());
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mqtt-link");
            t.setDaemon(true);
            return t;
        });
        this.reconnect = new ReconnectTimer(settings.backoff(), executor);
        PahoLogBridge.install();
        this.inbound = new InboundHandOver(Math.max(INBOUND_QUEUE_BYTES, 2 * settings.maxIncomingPayload()), executor,
                subscriptions::dispatch);
        // Paho takes whole seconds
        this.watch = new LinkWatchdog(Duration.ofSeconds(settings.keepAlive().toSeconds()),
                Duration.ofSeconds(Math.max(1, settings.connectTimeout().toSeconds())), CUT_GRACE);
        this.guard = new LinkGuard(settings.maxIncomingPayload(), false, System::nanoTime,
                (topic, qos, bytes) -> {
                    counters.oversized();
                    post(() -> {
                        counters.logOversized(topic, qos, bytes, settings.maxIncomingPayload());
                        subscriptions.tooLarge(topic, bytes);
                    });
                });
        try {
            this.socketFactory = guard.sockets(settings.tls());
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            executor.shutdownNow();
            throw new IllegalArgumentException("cannot set up TLS for " + settings.brokerUris() + ": "
                    + e.getMessage(), e);
        }
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
        return counters.stats();
    }

    /** The broker and MQTT version in use, while a session is up. */
    public Optional<ActiveSession> activeSession() {
        Session s = session;
        return s == null ? Optional.empty()
                : Optional.of(new ActiveSession(s.choice().uri(), s.client().protocolName()));
    }

    /** MQTT bytes read from brokers since start (inside TLS). */
    public long bytesReceived() {
        return guard.bytesIn();
    }

    /** MQTT bytes written to brokers since start (inside TLS). */
    public long bytesSent() {
        return guard.bytesOut();
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
                guard.abort();
                watch.clientReportedLoss(); // the session's client is retired at once, not waited for
                lose(PendingPublishes.Loss.byUnit("broker silent for " + watch.lastSilenceMillis()
                        + " ms (limit 1.5 x keepAlive = " + watch.silenceLimitMillis() + " ms); connection closed"),
                        counters::silentBrokerClosed);
            }
            case CUT_CONNECT -> {
                counters.connectAbandoned();
                guard.abort();
            }
            case GIVE_UP_CONNECT -> {
                // Paho did not report the end of the attempt whose socket was cut: give it up here
                Session s = connecting;
                connecting = null;
                if (s != null) {
                    rotation.failed(s.choice(), BrokerRotation.Evidence.NONE);
                    s.client().close();
                    scheduleReconnect("connect failed: " + abandonedReason(), s.choice());
                }
            }
            case CLEAN_UP_CUT_SESSION, NOTHING -> {
                // a cut session's client is retired when it is cut
            }
        }
    }

    private String abandonedReason() {
        return "no CONNACK within the connect timeout (" + watch.connectTimeoutMillis() + " ms); attempt abandoned";
    }

    @Override
    public boolean isConnected() {
        return session != null;
    }

    @Override
    public void addListener(ConnectionListener listener) {
        listeners.add(listener);
        executor.execute(() -> {
            if (session != null) {
                listener.connected();
            }
        });
    }

    private ProtocolClient.Events events(int forGeneration) {
        return new ProtocolClient.Events() {
            @Override
            public void lost(PendingPublishes.Loss loss) {
                post(() -> onClientLost(forGeneration, loss));
            }

            @Override
            public void arrived(String topic, byte[] payload, MessageProperties properties) {
                if (guard.dropped(payload)) {
                    return; // the stand-in of a message too large to read: reported when it was dropped
                }
                inbound.handOver(topic, payload, properties); // waits while 4 MiB wait for "mqtt-link"
            }
        };
    }

    private void connect() {
        if (closing || session != null || connecting != null) {
            return;
        }
        reconnect.started();
        BrokerRotation.Choice choice = rotation.next();
        guard.expect(choice.mqtt5(), (long) settings.maxIncomingPayload() + PACKET_HEADER_ALLOWANCE);
        guard.newAttempt();
        int gen = ++generation;
        ProtocolClient.Attempt spec = new ProtocolClient.Attempt(choice.uri(), statusTopic, presence.will(),
                socketFactory);
        ProtocolClient client;
        try {
            client = choice.mqtt5() ? new Paho5Client(settings, spec, events(gen))
                    : new Paho3Client(settings, spec, events(gen));
        } catch (IllegalArgumentException e) {
            rotation.failed(choice, BrokerRotation.Evidence.NONE);
            scheduleReconnect("connect failed: " + e.getMessage(), choice);
            return;
        }
        connecting = new Session(client, choice, gen);
        counters.connectStarted();
        watch.attemptStarted(System.nanoTime());
        client.connect(c -> post(() -> onConnected(gen, client, c)), e -> post(() -> onConnectFailed(gen, e)));
    }

    private void onConnected(int gen, ProtocolClient client, ProtocolClient.Connected broker) {
        Session s = connecting;
        if (s == null || s.generation() != gen || closing) {
            client.close(); // an attempt given up long ago succeeded after all, or the connection is closing
            return;
        }
        connecting = null;
        session = s;
        watch.sessionUp(System.nanoTime(), broker.serverKeepAlive().orElse(Duration.ofSeconds(
                settings.keepAlive().toSeconds())));
        reconnect.reset();
        rotation.connected(s.choice());
        Logger.info("mqtt connected broker={} protocol={} clientId={} sessionPresent={}", s.choice().uri(),
                client.protocolName(), settings.clientId(), broker.sessionPresent());
        if (broker.serverKeepAlive().isPresent() || broker.maximumPacketSize().isPresent()
                || broker.sessionExpiry().isPresent()) {
            Logger.info("mqtt broker limits serverKeepAliveS={} maxPacketBytes={} sessionExpiryS={}",
                    broker.serverKeepAlive().map(Duration::toSeconds).orElse(-1L),
                    broker.maximumPacketSize().orElse(-1), broker.sessionExpiry().map(Duration::toSeconds).orElse(-1L));
        }
        // "online" is announced once every subscription is answered: a cloud that waits for it knows that
        // commands sent from then on reach the unit (also on the very first connect of a new session)
        // SUBSCRIBE goes out before any publish of the session, and a broker answers packets in order: a broker
        // that drops the connection for a publish has answered every SUBSCRIBE before (subscribedSession is set)
        subscriptions.subscribeAll(client, granted -> post(() -> {
            if (granted && session == s) {
                subscribedSession = s;
            }
            announceOnline(s);
        }));
        for (ConnectionListener l : listeners) {
            l.connected();
        }
    }

    private void announceOnline(Session s) {
        if (session != s) {
            return;
        }
        publish(statusTopic, presence.online(), 1, true).whenComplete((ok, e) -> {
            if (e != null) {
                Logger.warn("mqtt online status not published error={}", e.getMessage());
            }
        });
    }

    private void onConnectFailed(int gen, Throwable cause) {
        Session s = connecting;
        if (s == null || s.generation() != gen) {
            return;
        }
        connecting = null;
        boolean cut = watch.connectWasCut();
        watch.down();
        boolean atOnce = rotation.failed(s.choice(), BrokerRotation.Evidence.of(guard.lastAttempt(), cut));
        s.client().close();
        if (!closing) {
            String reason = "connect failed: " + (cut ? abandonedReason()
                    : ConnectFailure.describe(cause, s.choice().uri()));
            if (atOnce) {
                lastFailure = reason;
                reconnect.scheduleAtOnce(reason, s.choice(), rotation.next(), this::connect);
            } else {
                scheduleReconnect(reason, s.choice());
            }
        }
    }

    /** Paho's report that the session ended. */
    private void onClientLost(int gen, PendingPublishes.Loss loss) {
        Session s = session;
        if (s != null && s.generation() == gen) {
            lose(loss);
        }
    }

    private void lose(PendingPublishes.Loss loss) {
        lose(loss, () -> { });
    }

    /**
     * Ends the session; {@code count} runs once the session is gone and before the listeners hear of it, so that
     * one reading the stats or {@link #isConnected()} then sees both.
     */
    private void lose(PendingPublishes.Loss loss, Runnable count) {
        Session s = session;
        session = null;
        count.run();
        watch.down();
        if (s != null && subscribedSession != s) {
            // dropped before every SUBSCRIBE was answered: the broker could not serve the session (RabbitMQ 3.10
            // closes it when the session's queue lives on a node that is down), not a refusal of a publish
            loss = loss.beforeSubscribed();
        }
        pending.failAll(loss, s != null && s.choice().mqtt5(), System.nanoTime());
        if (s == null) {
            return;
        }
        rotation.lost();
        s.client().close();
        String reason = "connection lost: " + loss.description();
        for (ConnectionListener l : listeners) {
            l.disconnected(reason);
        }
        if (!closing) {
            scheduleReconnect(reason, s.choice());
        }
    }

    private void scheduleReconnect(String reason, BrokerRotation.Choice from) {
        lastFailure = reason;
        reconnect.schedule(reason, from, rotation.next(), this::connect);
    }

    /** Why the last connect attempt failed or the last session ended, in a technician's words; "" before. */
    String lastFailure() {
        return lastFailure;
    }

    @Override
    public void subscribe(String filter, int qos, MessageListener listener) {
        Subscriptions.Subscription s = subscriptions.add(filter, qos, listener);
        executor.execute(() -> {
            Session live = session;
            if (live != null) {
                Subscriptions.subscribe(live.client(), s, granted -> { });
            }
        });
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retained) {
        return publish(topic, payload, qos, retained, MessageProperties.NONE);
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retained,
                                           MessageProperties properties) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        Session s = session;
        if (s == null) {
            result.completeExceptionally(new NotConnectedException("not connected to " + settings.brokerUris()));
            return result;
        }
        if (qos > 0 && pending.awaitingAcknowledgement() >= settings.maxInflight()) {
            post(() -> result.completeExceptionally(new LinkBusyException("the MQTT client's in-flight window"
                    + " (mqtt.maxInflight " + settings.maxInflight() + ") is full")));
            return result;
        }
        long id = pending.add(result, System.nanoTime(), qos > 0);
        s.client().publish(topic, payload, qos, retained, properties, error -> post(() -> {
            if (error instanceof NotConnectedException && session == s) {
                return; // the client gave up on it as its connection ended: the loss, coming next, decides
            }
            CompletableFuture<Void> f = pending.remove(id);
            if (f == null) {
                return; // failed already, when its session ended
            }
            if (error == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(error);
            }
        }));
        return result;
    }

    @Override
    public void close() {
        if (executor.isShutdown()) {
            return;
        }
        CompletableFuture<Session[]> stopped = new CompletableFuture<>();
        executor.execute(() -> {
            closing = true;
            if (watchdog != null) {
                watchdog.cancel(false);
            }
            reconnect.cancel();
            stopped.complete(new Session[] {session, connecting});
        });
        Session[] last = {null, null};
        try {
            last = stopped.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Session live = last[0];
            if (live != null) {
                try {
                    live.client().publishAndWait(statusTopic, presence.offline(), 1, true, CLOSE_TIMEOUT.toMillis());
                } catch (Exception e) {
                    Logger.warn("mqtt offline status not published error={}", e.getMessage());
                }
                live.client().disconnect(CLOSE_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            Logger.warn("mqtt disconnect failed error={}", e.getMessage());
        } finally {
            session = null;
            pending.failAll(PendingPublishes.Loss.byUnit("connection closed"), false, System.nanoTime());
            for (Session s : last) {
                if (s != null) {
                    s.client().close();
                }
            }
            executor.shutdownNow();
            Logger.info("mqtt closed brokers={}", settings.brokerUris());
        }
    }
}
