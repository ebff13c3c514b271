package com.oviron.callidus.tools.fleet;

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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.ScheduledExecutorPingSender;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A lightweight unit: an MQTT session of its own (Paho, the agent's library) that sends what a unit sends on
 * the wire: the same telemetry batches (format 2 from cloud-link's codec, the simulated board's readings at
 * the agent's default 10 samples per second, one batch per second, QoS 1, at most 8 awaiting PUBACK, resent
 * from the oldest unacknowledged after a reconnect), the retained online status with its last will, the
 * channel catalog, and a subscription to its commands. It reconnects with the agent's backoff (full jitter).
 * What it does not have: a store (its unacknowledged readings wait in memory, at most
 * {@link #MAX_BUFFERED} of them, the oldest dropped beyond), the sampler's and store's threads, the command
 * journal, file transfers. Its state is guarded by its monitor; its ticks run on the fleet's shared timer,
 * and Paho's callbacks only schedule work there.
 */
final class LightUnit implements FleetUnit {
    /** Ten minutes of readings at 90 per second (the default sampling). */
    static final int MAX_BUFFERED = 54_000;
    private static final int WINDOW = 8;
    private static final int BATCH_MAX = 500;
    /**
     * Longest wait for a connect's outcome. Paho 3 waits for CONNACK without end (paho.mqtt.java issues 511 and
     * 1028: its connection timeout covers the TCP connect only), so a node that accepts the connection and never
     * answers, as a restarting one can, would hold the unit forever; the agent has its LinkWatchdog for this.
     */
    static final long CONNECT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(15);

    private final String id;
    private final Topics topics;
    private final MqttAsyncClient client;
    private final ScheduledExecutorService timer;
    private final Backoff backoff;
    private final boolean persistentSession;
    private final Random random;
    private final SensorPort board;
    private final ManualClock boardClock;
    private final byte[] catalog;

    // guarded by this
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
    /** Connect attempts begun, for the fleet's attempts per second (not an attempt id: a cut does not count). */
    private long attemptsStarted;
    private long connectStartedNanos;
    private int stuckConnects;
    private int connectAttempts;
    private boolean closed;
    private volatile boolean connected;
    private ScheduledFuture<?> ticker;

    private final Duration samplePeriod;
    /** Its home node first, then the others: Paho tries them in order on every connect. */
    private final String[] brokerUris;
    private final Duration interval;

    /**
     * @param samplePeriod the board's sampling period (the agent's default: 100 ms)
     * @param registerMap  the board's channels at the shipped map's periods and deadbands, as a unit's (else
     *                     every channel on every sample)
     * @param interval     how often a batch goes out (the agent's sync.interval, default 10 s)
     */
    LightUnit(String id, List<String> brokerUris, ScheduledExecutorService timer, Backoff backoff, boolean persistentSession,
              long seed, Duration samplePeriod, boolean registerMap, Duration interval) throws MqttException {
        this.samplePeriod = samplePeriod;
        this.interval = interval;
        this.id = id;
        this.topics = new Topics(id);
        this.timer = timer;
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
        this.brokerUris = brokerUris.toArray(String[]::new);
        this.client = new MqttAsyncClient(this.brokerUris[0], id, new MemoryPersistence(), new ScheduledExecutorPingSender(timer),
                null);
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                timer.execute(() -> lost());
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                // commands are not carried out by a lightweight unit
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // handled per publish
            }
        });
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

    /** The Paho client itself, for a test that takes the connection away without a callback. */
    MqttAsyncClient pahoClient() {
        return client;
    }

    private void connect() {
        MqttConnectOptions o = new MqttConnectOptions();
        int attemptId;
        synchronized (this) {
            if (closed || connected || connecting) {
                return;
            }
            connecting = true;
            connectStartedNanos = System.nanoTime();
            attemptId = ++connectAttempts;
            attemptsStarted++;
            o.setServerURIs(brokerUris.clone());
        }
        o.setCleanSession(!persistentSession);
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval(30);
        o.setConnectionTimeout(10);
        o.setMaxInflight(64);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setWill(topics.status(), new StatusMessage(id, false, "fleet-light", System.currentTimeMillis(),
                "connection-lost").encode(), 1, true);
        try {
            client.connect(o, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    timer.execute(LightUnit.this::onConnected);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    timer.execute(() -> onConnectFailed(attemptId));
                }
            });
        } catch (MqttException | RuntimeException e) {
            onConnectFailed(attemptId);
        }
    }

    private void onConnected() {
        if (!client.isConnected()) {
            // the connection was lost again before this ran: its connectionLost came first and found the unit
            // not yet connected, so nothing else will reconnect it
            onConnectFailed(connectAttemptsNow());
            return;
        }
        synchronized (this) {
            connecting = false;
            if (closed) {
                return;
            }
            connected = true;
            attempt = 0;
            epoch++;
            inFlight.clear();
            sentUpTo = acknowledgedSeq;
        }
        try {
            client.subscribe(topics.commands(), 1);
            client.publish(topics.status(), new StatusMessage(id, true, "fleet-light", System.currentTimeMillis(),
                    "connected").encode(), 1, true);
            client.publish(topics.channels(), catalog, 1, true);
        } catch (MqttException e) {
            // the connection is going: connectionLost follows
        }
        send();
    }

    /**
     * A connect without outcome after {@link #CONNECT_WAIT_NANOS}: Paho's socket is closed, the broker that did
     * not answer goes to the end of the list, and the unit tries again after its backoff.
     */
    private void cutAStuckConnect() {
        synchronized (this) {
            if (!connecting || closed || System.nanoTime() - connectStartedNanos < CONNECT_WAIT_NANOS) {
                return;
            }
            stuckConnects++;
            connecting = false;
            connectAttempts++; // the cut attempt's own failure, if Paho reports one, is not a second failure
            String first = brokerUris[0];
            System.arraycopy(brokerUris, 1, brokerUris, 0, brokerUris.length - 1);
            brokerUris[brokerUris.length - 1] = first;
        }
        try {
            client.disconnectForcibly(0, 1000, false);
        } catch (MqttException e) {
            // nothing to close
        }
        scheduleReconnect();
    }

    @Override
    public synchronized long connectAttempts() {
        return attemptsStarted;
    }

    private synchronized int connectAttemptsNow() {
        return connectAttempts;
    }

    /** Connects that got no answer and were cut. */
    synchronized int stuckConnects() {
        return stuckConnects;
    }

    /** A connect failed; a failure of an attempt that was already cut (or superseded) is ignored. */
    private void onConnectFailed(int attemptId) {
        synchronized (this) {
            if (attemptId != connectAttempts) {
                return;
            }
            connecting = false;
        }
        scheduleReconnect();
    }

    private void lost() {
        synchronized (this) {
            if (!connected) {
                return;
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
     * it is connected while Paho is not (a loss whose callback raced the connect's) is treated as lost here.
     */
    private void tick() {
        if (connected && !client.isConnected()) {
            lost();
        }
        cutAStuckConnect();
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
            }
            byte[] payload = TelemetryBatchCodec.encode(TelemetryBatch.of(id, "telemetry", batch,
                    System.currentTimeMillis()));
            long last = batch.get(batch.size() - 1).seq();
            try {
                client.publish(topics.telemetry(), payload, 1, false, null, new IMqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) {
                        timer.execute(() -> acked(myEpoch, last));
                    }

                    @Override
                    public void onFailure(IMqttToken token, Throwable cause) {
                        // the connection is lost: everything unacknowledged goes again after the reconnect
                    }
                });
            } catch (MqttException e) {
                synchronized (this) {
                    if (epoch == myEpoch) {
                        inFlight.clear();
                        sentUpTo = acknowledgedSeq;
                    }
                }
                return;
            }
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

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (ticker != null) {
                ticker.cancel(false);
            }
        }
        try {
            if (client.isConnected()) {
                client.publish(topics.status(), new StatusMessage(id, false, "fleet-light", System.currentTimeMillis(),
                        "shutdown").encode(), 1, true).waitForCompletion(2_000);
            }
        } catch (MqttException e) {
            // going anyway
        }
        try {
            // DISCONNECT sent and the socket closed on this thread: Paho's disconnect() starts a thread for it, and
            // with 30,000 threads in the JVM starting one took long enough to close only ~15 units a second
            client.disconnectForcibly(0, 1_000, true);
        } catch (MqttException ignored) {
            // already disconnected
        }
        try {
            client.close(true);
        } catch (MqttException ignored) {
            // closed
        }
        connected = false;
    }
}
