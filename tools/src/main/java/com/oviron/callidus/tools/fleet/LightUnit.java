package com.oviron.callidus.tools.fleet;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.MqttClientState;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.cloud.ChannelCatalog;
import com.oviron.callidus.cloud.StatusMessage;
import com.oviron.callidus.cloud.TelemetryBatch;
import com.oviron.callidus.cloud.TelemetryBatchCodec;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.hal.HalException;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.ScheduledSensorPort;
import com.oviron.callidus.hal.SensorPort;
import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.hal.modbus.ModbusSensorPort;
import com.oviron.callidus.hal.modbus.RegisterMap;
import com.oviron.callidus.hal.modbus.RegisterMapException;
import com.oviron.callidus.hal.modbus.RegisterMapLoader;
import com.oviron.callidus.hal.sim.SimulatedCallidusBoard;
import com.oviron.callidus.store.TelemetryRecord;
import io.reactivex.schedulers.Schedulers;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A lightweight unit: an MQTT 3.1.1 session of its own that sends what a unit sends on the wire: the same
 * telemetry batches (format 2 from cloud-link's codec, the simulated board's readings at the agent's default
 * sampling, one batch per sync interval, QoS 1, at most 8 awaiting PUBACK, resent from the oldest
 * unacknowledged after a reconnect), the retained online status with its last will, the channel catalog, and a
 * subscription to its commands. It goes down its broker list as the agent does (home node first, then the
 * others, one connect attempt = one walk of the list) and reconnects with the agent's backoff (full jitter).
 * What it does not have: a store (its unacknowledged readings wait in memory, at most {@link #MAX_BUFFERED} of
 * them, the oldest dropped beyond), the sampler's and store's threads, the command journal, file transfers.
 *
 * <p>Its client is the HiveMQ MQTT client, not the agent's Paho (ADR 0031): every lightweight unit of a fleet
 * shares one small Netty event loop group ({@link #clientThreads}), where Paho takes three threads per client,
 * 30,000 for 10,000 units, which left two shared cores to the kernel's scheduler. Its state is guarded by its
 * monitor; its ticks and the client's callbacks run on the fleet's shared timer.
 */
final class LightUnit implements FleetUnit {
    /** Ten minutes of readings at 90 per second (the default sampling). */
    static final int MAX_BUFFERED = 54_000;
    private static final int WINDOW = 8;
    private static final int BATCH_MAX = 500;
    private static final int KEEP_ALIVE_SECONDS = 30;
    /** Longest wait for a TCP connection to a broker (at most the connect timeout). */
    private static final Duration SOCKET_CONNECT_WAIT = Duration.ofSeconds(10);

    private final String id;
    private final Topics topics;
    private final ScheduledExecutorService timer;
    private final MqttClientExecutorConfig clientThreads;
    private final Backoff backoff;
    private final boolean persistentSession;
    private final Random random;
    private final SensorPort board;
    private final ManualClock boardClock;
    private final byte[] catalog;
    private final Duration samplePeriod;
    private final Duration interval;
    /**
     * Longest wait for CONNACK (the agent's mqtt.connectTimeout): a node that takes the connection and does not
     * answer in time, as a restarting or an overloaded one can, goes to the end of the unit's list and the walk
     * goes on with the next.
     */
    private final Duration connectWait;

    // guarded by this
    /** Its home node first, then the others; a node that left a connect unanswered moves to the end. */
    private final List<InetSocketAddress> brokers;
    private final ArrayDeque<TelemetryRecord> unacked = new ArrayDeque<>();
    private final ArrayDeque<long[]> inFlight = new ArrayDeque<>();
    private long nextSeq = 1;
    private long sentUpTo;
    private long acknowledgedSeq;
    private long published;
    private long dropped;
    private int attempt;
    private int epoch;
    private boolean connecting;
    /** Connect attempts begun (walks of the broker list), for the fleet's attempts per second. */
    private long attemptsStarted;
    /** The current walk's id: an outcome of an older walk, or of a closed unit's, is ignored. */
    private int walk;
    private int stuckConnects;
    private boolean closed;
    private Mqtt3AsyncClient client;
    private volatile boolean connected;
    private ScheduledFuture<?> ticker;

    /**
     * @param brokerUris    tcp://host:port, its home node first
     * @param clientThreads the fleet's shared client threads ({@link #clientThreads})
     * @param samplePeriod  the board's sampling period (the agent's default: 100 ms)
     * @param registerMap   the board's channels at the shipped map's periods and deadbands, as a unit's (else
     *                      every channel on every sample)
     * @param interval      how often a batch goes out (the agent's sync.interval, default 10 s)
     * @param connectWait   longest wait for CONNACK (the agent's mqtt.connectTimeout, default 10 s)
     */
    LightUnit(String id, List<String> brokerUris, ScheduledExecutorService timer, MqttClientExecutorConfig clientThreads,
              Backoff backoff, boolean persistentSession, long seed, Duration samplePeriod, boolean registerMap,
              Duration interval, Duration connectWait) {
        this.connectWait = connectWait;
        this.samplePeriod = samplePeriod;
        this.interval = interval;
        this.id = id;
        this.topics = new Topics(id);
        this.timer = timer;
        this.clientThreads = clientThreads;
        this.backoff = backoff;
        this.persistentSession = persistentSession;
        this.random = new Random(seed);
        this.boardClock = new ManualClock(Instant.now());
        SimulatedCallidusBoard simulated = new SimulatedCallidusBoard(boardClock, seed);
        // as a complete agent with hal.simulatorSchedule register-map: the shipped map's periods and deadbands
        this.board = registerMap ? new ScheduledSensorPort(simulated, ModbusSensorPort.schedule(shippedMap()), boardClock)
                : simulated;
        this.catalog = new ChannelCatalog(id, SimulatedCallidusBoard.CHANNELS.stream()
                .map(c -> new ChannelCatalog.Channel(c.id(), c.name(), c.unit())).toList()).encode();
        this.brokers = new ArrayList<>();
        for (String uri : brokerUris) {
            brokers.add(address(uri));
        }
        if (brokers.isEmpty()) {
            throw new IllegalArgumentException("a lightweight unit needs at least one broker");
        }
    }

    /**
     * The threads every lightweight unit of a fleet shares: a Netty event loop group of {@code nettyThreads} on
     * threads from {@code threadSource} (one each, for as long as a client of the fleet is open), and the
     * client's callbacks on {@code callbacks}.
     */
    static MqttClientExecutorConfig clientThreads(Executor threadSource, int nettyThreads, Executor callbacks) {
        return MqttClientExecutorConfig.builder().nettyExecutor(threadSource).nettyThreads(nettyThreads)
                .applicationScheduler(Schedulers.from(callbacks)).build();
    }

    /** tcp://host:port (1883 when the port is left out); a lightweight unit speaks plain TCP only. */
    static InetSocketAddress address(String uri) {
        URI u = URI.create(uri);
        if (!"tcp".equals(u.getScheme()) || u.getHost() == null) {
            throw new IllegalArgumentException("a lightweight unit connects to tcp://host:port, not " + uri);
        }
        return InetSocketAddress.createUnresolved(u.getHost(), u.getPort() < 0 ? 1883 : u.getPort());
    }

    void start() {
        synchronized (this) {
            long offset = random.nextInt((int) Math.max(1, interval.toMillis()));
            ticker = timer.scheduleAtFixedRate(this::tick, offset, interval.toMillis(), TimeUnit.MILLISECONDS);
        }
        timer.execute(this::connect);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean connected() {
        return connected;
    }

    @Override
    public synchronized Progress progress() {
        return new Progress(nextSeq - 1, acknowledgedSeq, published);
    }

    synchronized long dropped() {
        return dropped;
    }

    @Override
    public synchronized long connectAttempts() {
        return attemptsStarted;
    }

    /** Connects that got no CONNACK within the connect timeout and were given up. */
    synchronized int stuckConnects() {
        return stuckConnects;
    }

    /** The client of its current connection or connect, for a test that takes the connection away silently. */
    synchronized Mqtt3AsyncClient client() {
        return client;
    }

    /** Begins a connect attempt: a walk of the broker list from the first. */
    private void connect() {
        int myWalk;
        synchronized (this) {
            if (closed || connected || connecting) {
                return;
            }
            connecting = true;
            attemptsStarted++;
            myWalk = ++walk;
        }
        tryBroker(myWalk, 0);
    }

    private void tryBroker(int myWalk, int k) {
        InetSocketAddress broker;
        synchronized (this) {
            if (closed || myWalk != walk) {
                return;
            }
            broker = brokers.get(k);
        }
        Mqtt3AsyncClient[] self = new Mqtt3AsyncClient[1];
        Mqtt3AsyncClient c = MqttClient.builder().useMqttVersion3().identifier(id)
                .transportConfig()
                .serverAddress(broker)
                .socketConnectTimeout(Math.min(SOCKET_CONNECT_WAIT.toMillis(), connectWait.toMillis()), TimeUnit.MILLISECONDS)
                .mqttConnectTimeout(connectWait.toMillis(), TimeUnit.MILLISECONDS)
                .applyTransportConfig()
                .executorConfig(clientThreads)
                .addDisconnectedListener(context -> disconnected(self[0]))
                .buildAsync();
        self[0] = c;
        synchronized (this) {
            client = c;
        }
        long startedNanos = System.nanoTime();
        c.connectWith()
                .cleanSession(!persistentSession)
                .keepAlive(KEEP_ALIVE_SECONDS)
                .willPublish()
                .topic(topics.status())
                .payload(new StatusMessage(id, false, "fleet-light", System.currentTimeMillis(), "connection-lost").encode())
                .qos(MqttQos.AT_LEAST_ONCE)
                .retain(true)
                .applyWillPublish()
                .send()
                .whenComplete((ack, failure) -> {
                    if (failure == null) {
                        onConnected(myWalk, c);
                    } else {
                        onConnectFailed(myWalk, k, System.nanoTime() - startedNanos);
                    }
                });
    }

    private void onConnected(int myWalk, Mqtt3AsyncClient c) {
        synchronized (this) {
            if (closed || myWalk != walk) {
                c.disconnect(); // superseded or closed meanwhile: its session is not wanted
                return;
            }
            connecting = false;
            connected = true;
            attempt = 0;
            epoch++;
            inFlight.clear();
            sentUpTo = acknowledgedSeq;
        }
        if (c.getState() != MqttClientState.CONNECTED) {
            // lost again before this ran; its disconnect may have come first and found the unit not yet connected
            lost(c);
            return;
        }
        c.subscribeWith().topicFilter(topics.commands()).qos(MqttQos.AT_LEAST_ONCE)
                .callback(command -> {
                    // commands are not carried out by a lightweight unit
                })
                .send();
        c.publishWith().topic(topics.status()).qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload(new StatusMessage(id, true, "fleet-light", System.currentTimeMillis(), "connected").encode())
                .send();
        c.publishWith().topic(topics.channels()).qos(MqttQos.AT_LEAST_ONCE).retain(true).payload(catalog).send();
        send();
    }

    /**
     * A broker of the walk did not take the connect: the next one is tried at once, as Paho goes down its server
     * URIs; after the last, the unit waits its backoff. One that took the connection and left it unanswered for
     * the connect timeout goes to the end of the list.
     */
    private void onConnectFailed(int myWalk, int k, long tookNanos) {
        int next;
        synchronized (this) {
            if (closed || myWalk != walk) {
                return;
            }
            boolean last = k == brokers.size() - 1;
            if (tookNanos >= connectWait.toNanos()) {
                stuckConnects++;
                brokers.add(brokers.remove(k));
                next = k; // the one after it has moved into place k
            } else {
                next = k + 1;
            }
            if (last) {
                connecting = false;
                next = -1;
            }
        }
        if (next < 0) {
            scheduleReconnect();
        } else {
            tryBroker(myWalk, next);
        }
    }

    /** The client's own word that a connection (or a connect) ended. */
    private void disconnected(Mqtt3AsyncClient c) {
        synchronized (this) {
            if (c == null || closed) {
                return; // a closed unit's connect ending late: nothing to do
            }
        }
        try {
            timer.execute(() -> lost(c));
        } catch (RejectedExecutionException e) {
            // the fleet's timer is gone: the fleet is closing
        }
    }

    /** The connection of {@code c} is gone: if it was the unit's current one, everything in flight goes again. */
    private void lost(Mqtt3AsyncClient c) {
        synchronized (this) {
            if (!connected || c != client) {
                return; // a connect that failed (its outcome handles it), or an old connection
            }
            connected = false;
            inFlight.clear();
        }
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        long delay;
        synchronized (this) {
            if (closed) {
                return;
            }
            delay = backoff.delay(attempt++, random).toMillis();
        }
        timer.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    /**
     * Every interval: the board's samples of that interval, then send what the window allows. A unit that believes
     * it is connected while its client is not (a loss whose word raced the connect's) is treated as lost here.
     */
    private void tick() {
        Mqtt3AsyncClient c = client();
        if (connected && c != null && c.getState() != MqttClientState.CONNECTED) {
            lost(c);
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            long samples = Math.max(1, interval.toMillis() / samplePeriod.toMillis());
            for (long s = 0; s < samples; s++) {
                boardClock.advance(samplePeriod);
                for (Reading r : sample()) {
                    unacked.addLast(new TelemetryRecord(nextSeq++, r.channelId(), r.timestamp().toEpochMilli(),
                            r.value(), r.quality().code()));
                }
            }
            while (unacked.size() > MAX_BUFFERED) {
                TelemetryRecord gone = unacked.removeFirst();
                dropped++;
                acknowledgedSeq = Math.max(acknowledgedSeq, gone.seq());
                sentUpTo = Math.max(sentUpTo, gone.seq());
            }
        }
        send();
    }

    private List<Reading> sample() {
        try {
            return board.sample();
        } catch (HalException e) {
            throw new IllegalStateException("the simulated board does not fail", e);
        }
    }

    private static RegisterMap shippedMap() {
        try {
            return RegisterMapLoader.loadDefault();
        } catch (RegisterMapException e) {
            throw new IllegalStateException("the shipped register map is part of the agent", e);
        }
    }

    private void send() {
        while (true) {
            List<TelemetryRecord> batch = new ArrayList<>(BATCH_MAX);
            int myEpoch;
            Mqtt3AsyncClient c;
            synchronized (this) {
                if (!connected || inFlight.size() >= WINDOW) {
                    return;
                }
                for (TelemetryRecord r : unacked) {
                    if (r.seq() > sentUpTo) {
                        batch.add(r);
                        if (batch.size() == BATCH_MAX) {
                            break;
                        }
                    }
                }
                if (batch.isEmpty()) {
                    return;
                }
                long first = batch.get(0).seq();
                long last = batch.get(batch.size() - 1).seq();
                inFlight.addLast(new long[] {first, last, 0});
                sentUpTo = last;
                published++;
                myEpoch = epoch;
                c = client;
            }
            byte[] payload = TelemetryBatchCodec.encode(TelemetryBatch.of(id, "telemetry", batch,
                    System.currentTimeMillis()));
            long last = batch.get(batch.size() - 1).seq();
            // a failure means the connection is lost: everything unacknowledged goes again after the reconnect
            c.publishWith().topic(topics.telemetry()).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send()
                    .whenComplete((puback, failure) -> {
                        if (failure == null) {
                            acked(myEpoch, last);
                        }
                    });
        }
    }

    private void acked(int fromEpoch, long last) {
        synchronized (this) {
            if (fromEpoch != epoch) {
                return;
            }
            for (long[] f : inFlight) {
                if (f[1] == last) {
                    f[2] = 1;
                }
            }
            while (!inFlight.isEmpty() && inFlight.peekFirst()[2] == 1) {
                long upTo = inFlight.removeFirst()[1];
                acknowledgedSeq = Math.max(acknowledgedSeq, upTo);
                while (!unacked.isEmpty() && unacked.peekFirst().seq() <= upTo) {
                    unacked.removeFirst();
                }
            }
        }
        send();
    }

    /** Stops sampling; what is unacknowledged still goes out. */
    void stopSampling() {
        synchronized (this) {
            if (ticker != null) {
                ticker.cancel(false);
            }
        }
    }

    /** Says goodbye (the retained offline status, then DISCONNECT, so that the broker drops its will) and stops. */
    @Override
    public void close() {
        Mqtt3AsyncClient c;
        boolean wasConnected;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (ticker != null) {
                ticker.cancel(false);
            }
            c = client;
            wasConnected = connected;
            connected = false;
        }
        if (c == null) {
            return;
        }
        try {
            if (wasConnected && c.getState() == MqttClientState.CONNECTED) {
                c.publishWith().topic(topics.status()).qos(MqttQos.AT_LEAST_ONCE).retain(true)
                        .payload(new StatusMessage(id, false, "fleet-light", System.currentTimeMillis(), "shutdown")
                                .encode())
                        .send().get(2, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // going anyway
        }
        try {
            c.disconnect().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // not connected, or gone already
        }
    }
}
