package com.oviron.callidus.cloud;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.tinylog.Logger;

/**
 * Keeps every publish of the unit below one connection-wide rate, so that all parts together stay under the
 * broker's quota (AWS IoT Core: 100 publishes per second per connection), and keeps the kinds of message from
 * crowding each other out. Each publish goes to a {@link Lane} by its topic: telemetry (with events, status,
 * health, settings and update messages), files, replies, live data. Each lane has its own bounded queue, kept
 * in order; when publishes wait, the lanes take turns by weight (telemetry 4, files 2, replies 1, live 1), so a
 * flood of commands can take at most its share of the rate and never the telemetry's room. Replies also have at
 * most {@value #REPLIES_IN_FLIGHT} awaiting PUBACK, so that they cannot fill the MQTT client's in-flight window.
 *
 * <p>A full lane: a reply or a live message is dropped (counted in {@link #stats()}, logged once a minute; a
 * dropped reply is still in the command journal, and the cloud gets it by repeating the command); a telemetry
 * or file publish fails with {@link LinkBusyException}, back-pressure that the sender waits out. Waiting
 * publishes are sent from this object's own thread ("mqtt-rate").
 */
public final class RateLimitedMqttConnection implements MqttConnection {
    /** The kinds of publish that have their own queue and share of the rate. */
    public enum Lane {
        TELEMETRY(4, 2_000, Integer.MAX_VALUE),
        FILES(2, 2_000, Integer.MAX_VALUE),
        REPLIES(1, 256, REPLIES_IN_FLIGHT),
        LIVE(1, 64, Integer.MAX_VALUE);

        final int weight;
        final int capacity;
        final int maxInFlight;

        Lane(int weight, int capacity, int maxInFlight) {
            this.weight = weight;
            this.capacity = capacity;
            this.maxInFlight = maxInFlight;
        }

        /** The lane of a topic {@code callidus/v1/<device>/<kind>[/...]}. */
        public static Lane of(String topic) {
            String[] levels = topic.split("/", 5);
            String kind = levels.length > 3 ? levels[3] : "";
            return switch (kind) {
                case "reply" -> REPLIES;
                case "live" -> LIVE;
                case "file" -> FILES;
                default -> TELEMETRY;
            };
        }

        /** Publishes this lane holds at most while they wait for the rate. */
        public int capacity() {
            return capacity;
        }
    }

    /** Replies awaiting PUBACK at most. */
    public static final int REPLIES_IN_FLIGHT = 8;
    private static final Duration DROP_LOG_INTERVAL = Duration.ofMinutes(1);

    private record Held(String topic, byte[] payload, int qos, boolean retained, MessageProperties properties,
                        CompletableFuture<Void> result) {
    }

    private static final class State {
        final Deque<Held> queue = new ArrayDeque<>();
        int inFlight;
        int current;
    }

    private final MqttConnection delegate;
    private final PublishRateLimiter limiter;
    private final ScheduledExecutorService timer;
    private final Map<Lane, State> lanes = new EnumMap<>(Lane.class);
    private final AtomicLong repliesDropped = new AtomicLong();
    private final AtomicLong liveDropped = new AtomicLong();
    private final IntervalLog replyDropLog;
    private final IntervalLog liveDropLog;
    private boolean drainScheduled;
    private boolean closed;

    /** @param perSecond publishes per second at most over the whole connection; 0 means no limit */
    public RateLimitedMqttConnection(MqttConnection delegate, int perSecond) {
        this(delegate, perSecond, System::nanoTime);
    }

    RateLimitedMqttConnection(MqttConnection delegate, int perSecond, LongSupplier nanoTime) {
        this.delegate = delegate;
        this.limiter = new PublishRateLimiter(perSecond, nanoTime);
        this.replyDropLog = new IntervalLog(DROP_LOG_INTERVAL, nanoTime);
        this.liveDropLog = new IntervalLog(DROP_LOG_INTERVAL, nanoTime);
        for (Lane lane : Lane.values()) {
            lanes.put(lane, new State());
        }
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
        return publish(topic, payload, qos, retained, MessageProperties.NONE);
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retained,
                                           MessageProperties properties) {
        Lane lane = Lane.of(topic);
        Held held = new Held(topic, payload, qos, retained, properties, new CompletableFuture<>());
        boolean now;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new NotConnectedException("connection closed"));
            }
            State state = lanes.get(lane);
            if (nothingWaits() && state.inFlight < lane.maxInFlight && limiter.tryAcquire() == 0) {
                now = true;
                if (qos > 0) {
                    state.inFlight++;
                }
            } else if (state.queue.size() >= lane.capacity) {
                return full(lane);
            } else {
                now = false;
                state.queue.addLast(held);
                scheduleDrain(0);
            }
        }
        if (now) {
            send(lane, held);
        }
        return held.result();
    }

    private CompletableFuture<Void> full(Lane lane) {
        String message = "more than " + lane.capacity + " " + lane.name().toLowerCase(java.util.Locale.ROOT)
                + " publishes wait for the connection-wide rate limit";
        switch (lane) {
            case REPLIES -> logDrop(replyDropLog, repliesDropped, "mqtt reply dropped: the reply queue is full (the"
                    + " command journal keeps it; a repeated command gets it)");
            case LIVE -> logDrop(liveDropLog, liveDropped, "mqtt live message dropped: the live queue is full");
            default -> {
                // the sender waits and tries again; it logs what it does
            }
        }
        return CompletableFuture.failedFuture(new LinkBusyException(message));
    }

    private static void logDrop(IntervalLog log, AtomicLong counter, String what) {
        long total = counter.incrementAndGet();
        long notLogged = log.occurred();
        if (notLogged >= 0) {
            Logger.warn("{} droppedSinceStart={} notLogged={}", what, total, notLogged);
        }
    }

    private boolean nothingWaits() {
        for (State s : lanes.values()) {
            if (!s.queue.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Publishes; a QoS 1 or 2 publish has already been counted in its lane's in-flight number. */
    private void send(Lane lane, Held held) {
        boolean counted = held.qos() > 0;
        CompletableFuture<Void> sent;
        try {
            sent = held.properties().isEmpty()
                    ? delegate.publish(held.topic(), held.payload(), held.qos(), held.retained())
                    : delegate.publish(held.topic(), held.payload(), held.qos(), held.retained(), held.properties());
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((ok, e) -> {
            if (counted) {
                synchronized (this) {
                    lanes.get(lane).inFlight--;
                    if (!lanes.get(lane).queue.isEmpty()) {
                        scheduleDrain(0);
                    }
                }
            }
            if (e != null) {
                held.result().completeExceptionally(e);
            } else {
                held.result().complete(null);
            }
        });
    }

    /** How many publishes wait for a token now, all lanes together. */
    public synchronized int queued() {
        int n = 0;
        for (State s : lanes.values()) {
            n += s.queue.size();
        }
        return n;
    }

    /** How many publishes of one lane wait now. */
    public synchronized int queued(Lane lane) {
        return lanes.get(lane).queue.size();
    }

    @Override
    public LinkStats stats() {
        return delegate.stats().plus(new LinkStats(0, 0, 0, repliesDropped.get(), liveDropped.get(), 0));
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

    private boolean anyLaneReady() {
        for (Lane lane : Lane.values()) {
            State s = lanes.get(lane);
            if (!s.queue.isEmpty() && s.inFlight < lane.maxInFlight) {
                return true;
            }
        }
        return false;
    }

    /** The lane whose turn it is among those with something to send and room in flight (smooth weighted turns). */
    private Lane nextLane() {
        Lane best = null;
        int total = 0;
        for (Lane lane : Lane.values()) {
            State s = lanes.get(lane);
            if (s.queue.isEmpty() || s.inFlight >= lane.maxInFlight) {
                continue;
            }
            s.current += lane.weight;
            total += lane.weight;
            if (best == null || s.current > lanes.get(best).current) {
                best = lane;
            }
        }
        if (best != null) {
            lanes.get(best).current -= total;
        }
        return best;
    }

    private void drain() {
        while (true) {
            Lane lane;
            Held next;
            synchronized (this) {
                drainScheduled = false;
                if (closed) {
                    return;
                }
                if (!anyLaneReady()) {
                    return; // nothing to send, or only replies waiting for PUBACKs (their completion drains again)
                }
                long wait = limiter.tryAcquire();
                if (wait > 0) {
                    scheduleDrain(wait);
                    return;
                }
                lane = nextLane();
                next = lanes.get(lane).queue.pollFirst();
                if (next.qos() > 0) {
                    lanes.get(lane).inFlight++;
                }
            }
            send(lane, next);
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
        Deque<Held> dropped = new ArrayDeque<>();
        synchronized (this) {
            closed = true;
            for (State s : lanes.values()) {
                dropped.addAll(s.queue);
                s.queue.clear();
            }
        }
        timer.shutdownNow();
        dropped.forEach(h -> h.result().completeExceptionally(new NotConnectedException("connection closed")));
        delegate.close();
    }
}
