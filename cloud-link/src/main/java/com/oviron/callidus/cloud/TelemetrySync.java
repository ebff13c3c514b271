package com.oviron.callidus.cloud;

import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.StoredEvent;
import com.oviron.callidus.store.TelemetryOutbox;
import com.oviron.callidus.store.TelemetryRecord;
import com.oviron.callidus.store.log.FailureLog;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * Moves telemetry from the outbox to the broker: reads consecutive readings after the last acknowledged
 * one, publishes them as batches with QoS 1, up to {@code inFlightWindow} at once, and acknowledges them in
 * the outbox only when the broker has acknowledged every batch up to them. When the session drops, whatever
 * was in flight is forgotten and sent again from the outbox after reconnect, so a batch may reach the cloud
 * twice (same sequence numbers; the cloud drops the copy) but never not at all.
 *
 * <p>While more than {@code batchMaxReadings} readings wait, batches grow (ADR 0027, {@link BatchSizer}): up to
 * {@code catchUpMaxReadings}, cut to fit {@code catchUpMaxBytes} before they are sent, so that a backlog goes out
 * in few large messages under the publish rate limit; back to {@code batchMaxReadings} once caught up.
 *
 * <p>All state lives on the given single-thread executor; connection events and PUBACKs are posted to it.
 */
public final class TelemetrySync implements AutoCloseable {
    /** Batches' worth of waiting readings from which the log says that a backlog is being replayed. */
    static final int BACKLOG_LOG_BATCHES = 4;
    /** Failures in a row after which the oldest batch is set aside as poison. */
    static final int POISON_ATTEMPTS = 5;
    /** After back-pressure, the window is tried again this much later (or at the next tick, if sooner). */
    private static final long RETRY_AFTER_BUSY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** After a temporary refusal (MQTT 5: 0x97 quota exceeded), the window is tried again this much later. */
    private static final long RETRY_AFTER_QUOTA_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final IntervalLog failureLog = new IntervalLog(java.time.Duration.ofMinutes(1));

    /** The name of the telemetry stream in messages. */
    public static final String STREAM = "telemetry";

    private final TelemetryOutbox outbox;
    private final MqttConnection link;
    private final Topics topics;
    private final SyncSettings settings;
    private final ScheduledExecutorService executor;
    private final Clock clock;

    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private long nextSeq = -1;
    private boolean eventInFlight;
    private long headFailureSeq = -1;
    private int headFailures;
    private String lastFailure = "";
    private boolean pumpScheduled;
    private final PublishRateLimiter limiter;
    private final BatchSizer sizer;
    private volatile boolean catchingUp;
    /** Readings that arrived in the store during the last interval (the sync's ticker thread only). */
    private volatile long arrivalsPerInterval;
    private long seqAtLastTick = -1;
    /** Backlogs the log announced ("replaying a backlog"). */
    private volatile int backlogsAnnounced;
    private long epoch;
    private ScheduledFuture<?> ticker;
    private volatile SyncStats stats = new SyncStats(0, 0, 0, 0, 0);
    private volatile long acknowledgementFailures;
    /** A failure that repeats per tick or per batch is logged once a minute, with the count of repeats. */
    private final FailureLog log = new FailureLog();

    private static final class InFlight {
        final long firstSeq;
        final long lastSeq;
        boolean acked;

        InFlight(long firstSeq, long lastSeq) {
            this.firstSeq = firstSeq;
            this.lastSeq = lastSeq;
        }
    }

    /**
     * Counters for diagnostics.
     *
     * @param batchesPublished batches handed to the broker (including resends)
     * @param batchesAcked     batches the broker acknowledged
     * @param publishFailures  publishes that failed or were refused
     * @param resends          times the window was dropped and resent from the outbox
     * @param acknowledgedSeq  the outbox cursor
     */
    public record SyncStats(long batchesPublished, long batchesAcked, long publishFailures, long resends,
                            long acknowledgedSeq) {
    }

    private volatile java.util.function.BooleanSupplier gate = () -> true;
    private volatile Runnable beforeReplay = () -> { };
    /** Sessions of the link that ended since the start: the current session's number. */
    private final java.util.concurrent.atomic.AtomicLong sessionsEnded = new java.util.concurrent.atomic.AtomicLong();
    /** The session in which {@link #beforeReplay} ran for the current backlog, -1 for none (the sync's thread only). */
    private long beforeReplayRanIn = -1;

    public TelemetrySync(TelemetryOutbox outbox, MqttConnection link, Topics topics, SyncSettings settings,
                         ScheduledExecutorService executor, Clock clock) {
        this.outbox = outbox;
        this.link = link;
        this.topics = topics;
        this.settings = settings;
        this.executor = executor;
        this.clock = clock;
        this.limiter = new PublishRateLimiter(settings.maxPublishesPerSecond(), System::nanoTime);
        this.sizer = new BatchSizer(settings);
    }

    /** Starts checking the outbox periodically and on every (re)connect. */
    public void start() {
        link.addListener(new ConnectionListener() {
            @Override
            public void connected() {
                executor.execute(TelemetrySync.this::pump);
            }

            @Override
            public void disconnected(String reason) {
                // whether the drop refused a batch is the connection's to say: it fails that publish with a
                // PublishRefusedException before it tells its listeners
                // counted here, on the link's thread, before any next session exists: a pump of the next session
                // sees it, whatever tasks of this one are still queued on the sync's thread
                sessionsEnded.incrementAndGet();
                executor.execute(TelemetrySync.this::forgetInFlight);
            }
        });
        long period = settings.interval().toMillis();
        ticker = executor.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Whether the unit may send now (the subscription, issue 6). While it says no, nothing is published and
     * the readings stay in the outbox under its retention limits; sending resumes where it stopped.
     */
    public void setGate(java.util.function.BooleanSupplier allowed) {
        this.gate = allowed;
    }

    /**
     * What runs on the sync's thread just before the first batch of a backlog's replay is published, once per
     * session and once per backlog: the agent publishes a live snapshot there, so that after an outage the cloud
     * gets the current values before the past. An exception it throws is logged, and the replay goes on.
     */
    public void setBeforeReplay(Runnable beforeReplay) {
        this.beforeReplay = java.util.Objects.requireNonNull(beforeReplay, "beforeReplay");
    }

    /** Asks for an immediate check of the outbox (for example after new readings were stored). */
    public void syncSoon() {
        executor.execute(this::pump);
    }

    public SyncStats stats() {
        return stats;
    }

    /**
     * How many broker acknowledgements could not be recorded in the outbox (a full disk the store could not
     * make room on) since the start. One more while waiting for the outbox to empty says the wait is in vain.
     */
    public long acknowledgementFailures() {
        return acknowledgementFailures;
    }

    /** Every interval: how many readings arrived since the last one (the live rate), then a pump. */
    void tick() {
        try {
            long last = outbox.lastSeq();
            if (seqAtLastTick >= 0) {
                arrivalsPerInterval = Math.max(0, last - seqAtLastTick);
            }
            seqAtLastTick = last;
        } catch (StoreException e) {
            log.error("read." + FailureLog.kindOf(e), "sync cannot read the outbox error={}", e.getMessage());
        }
        pump();
    }

    private void pump() {
        try {
            if (!link.isConnected() || !gate.getAsBoolean()) {
                return;
            }
            if (sendEventFirst()) {
                return; // events go before any telemetry: the pump runs again when it is acknowledged
            }
            if (nextSeq < 0) {
                nextSeq = outbox.acknowledgedSeq() + 1;
            }
            while (inFlight.size() < settings.inFlightWindow()) {
                long waitNanos = limiter.tryAcquire();
                if (waitNanos > 0) {
                    schedulePumpIn(waitNanos);
                    return;
                }
                List<TelemetryRecord> records = outbox.readAfter(nextSeq - 1, batchReadings());
                if (records.isEmpty()) {
                    return;
                }
                TelemetryBatch batch = TelemetryBatch.of(topics.deviceId(), STREAM, records, clock.millis());
                byte[] payload = TelemetryBatchCodec.encode(batch);
                while (sizer.tooLarge(records.size(), payload.length)) {
                    // a grown batch is cut to fit catchUpMaxBytes: never a dead letter for its size
                    records = records.subList(0, sizer.cutTo(records.size(), payload.length));
                    batch = TelemetryBatch.of(topics.deviceId(), STREAM, records, clock.millis());
                    payload = TelemetryBatchCodec.encode(batch);
                }
                sizer.encoded(records.size(), payload.length);
                if (isPoison(batch, payload)) {
                    executor.execute(this::pump); // its alarm goes first, then the stream goes on
                    return;
                }
                InFlight entry = new InFlight(batch.firstSeq(), batch.lastSeq());
                inFlight.addLast(entry);
                nextSeq = batch.lastSeq() + 1;
                long sentInEpoch = epoch;
                count(1, 0, 0, 0);
                link.publish(topics.telemetry(), payload, 1, false)
                        .whenComplete((ok, error) -> executor.execute(() -> onPublished(entry, sentInEpoch, error)));
            }
            log.cleared("read", "sync reads the outbox again");
        } catch (StoreException e) {
            log.error("read." + FailureLog.kindOf(e), "sync cannot read the outbox error={}", e.getMessage());
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again: log and keep the ticker alive
            Logger.error(e, "sync failed unexpectedly");
        }
    }

    /**
     * Readings for the next batch: {@code batchMaxReadings} when caught up, more while a backlog waits (ADR 0027).
     * Logs when the sync starts and stops replaying a backlog with grown batches.
     */
    private int batchReadings() throws StoreException {
        long waiting = outbox.lastSeq() - (nextSeq - 1);
        noteBacklog(waiting);
        long session = sessionsEnded.get();
        if (!catchingUp) {
            beforeReplayRanIn = -1; // a later backlog of the same session gets its own
        } else if (beforeReplayRanIn != session) {
            beforeReplayRanIn = session;
            try {
                beforeReplay.run();
            } catch (RuntimeException e) {
                Logger.warn("sync: what runs before a replay failed error={}", String.valueOf(e));
            }
        }
        return settings.growsForBacklog() ? sizer.readingsFor(waiting) : settings.batchMaxReadings();
    }

    /**
     * A backlog is more than {@link #BACKLOG_LOG_BATCHES} times what one interval normally carries (a batch, or
     * the readings that arrived during the last interval when more: at 90 readings/s a 10 s interval brings
     * 900), until what waits is back to one interval's worth. While a backlog is replayed the log says so once,
     * and the agent sends live snapshots beside it.
     */
    private void noteBacklog(long waiting) {
        long live = Math.max(settings.batchMaxReadings(), arrivalsPerInterval);
        boolean backlog = catchingUp ? waiting > live : waiting > BACKLOG_LOG_BATCHES * live;
        if (backlog != catchingUp) {
            catchingUp = backlog;
            if (backlog) {
                backlogsAnnounced++;
                if (settings.growsForBacklog()) {
                    Logger.info("sync replaying a backlog in grown batches waiting={} maxReadings={} maxBytes={}",
                            waiting, settings.catchUpMaxReadings(), settings.catchUpMaxBytes());
                } else {
                    Logger.info("sync replaying a backlog waiting={} batchMaxReadings={}", waiting,
                            settings.batchMaxReadings());
                }
            } else {
                Logger.info("sync caught up, batches back to batchMaxReadings={}", settings.batchMaxReadings());
            }
        }
    }

    /**
     * Whether a backlog is being replayed: more waits than a few intervals' worth of live readings. The agent
     * sends live snapshots meanwhile.
     */
    public boolean replayingBacklog() {
        return catchingUp;
    }

    /** How many backlogs the log announced since the start; for tests. */
    int backlogsAnnounced() {
        return backlogsAnnounced;
    }

    private void schedulePumpIn(long nanos) {
        if (!pumpScheduled) {
            pumpScheduled = true;
            executor.schedule(() -> {
                pumpScheduled = false;
                pump();
            }, nanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Publishes the oldest unacknowledged alarm or audit event, if there is one; returns true while events
     * are pending or in flight, so that telemetry waits behind them.
     */
    private boolean sendEventFirst() throws StoreException {
        if (eventInFlight) {
            return true;
        }
        List<StoredEvent> events = outbox.pendingEvents(1);
        if (events.isEmpty()) {
            return false;
        }
        StoredEvent event = events.get(0);
        eventInFlight = true;
        long sentInEpoch = epoch;
        link.publish(topics.events(), EventMessage.encode(topics.deviceId(), event), 1, false)
                .whenComplete((ok, error) -> executor.execute(() -> onEventPublished(event, sentInEpoch, error)));
        return true;
    }

    private void onEventPublished(StoredEvent event, long sentInEpoch, Throwable error) {
        if (sentInEpoch != epoch) {
            return;
        }
        eventInFlight = false;
        if (error != null) {
            count(0, 0, 1, 0);
            long notLogged = failureLog.occurred();
            if (notLogged >= 0) {
                Logger.warn("sync event publish not accepted, sending again shortly seq={} kind={} reason={}"
                        + " notLogged={}", event.seq(), event.kind(), describe(unwrap(error)), notLogged);
            }
            schedulePumpIn(RETRY_AFTER_BUSY_NANOS);
            return;
        }
        try {
            outbox.acknowledgeEvents(event.seq());
            log.cleared("event.ack", "sync records event acknowledgements again");
        } catch (StoreException e) {
            log.error("event.ack." + FailureLog.kindOf(e), "sync cannot record event acknowledgement seq={} error={}", event.seq(),
                    e.getMessage());
        }
        pump();
    }

    /**
     * A batch the broker will not take must not block the stream: one that is too large for any broker, or
     * that the broker refused {@value #POISON_ATTEMPTS} times in a row, goes to the dead-letter table with the
     * refusal as its reason. A refusal is a {@link PublishRefusedException} the connection reports: MQTT 5's PUBACK
     * and DISCONNECT reason codes, or, as MQTT 3.1.1 has no refusal code, the broker dropping the connection within
     * 2 s of the batch being sent (AWS IoT drops a client that publishes what it will not take). A temporary
     * refusal (0x97 quota exceeded), a full queue on the unit, the client's in-flight window, a publish while
     * disconnected, or the watchdog cutting a silent broker are never counted.
     */
    private boolean isPoison(TelemetryBatch batch, byte[] payload) throws StoreException {
        String reason = null;
        if (payload.length > TelemetryBatchCodec.MAX_PAYLOAD_BYTES) {
            reason = "payload of " + payload.length + " bytes exceeds " + TelemetryBatchCodec.MAX_PAYLOAD_BYTES;
        } else if (batch.firstSeq() == headFailureSeq && headFailures >= POISON_ATTEMPTS) {
            reason = "refused " + headFailures + " times in a row, last: " + lastFailure;
        }
        if (reason == null) {
            return false;
        }
        outbox.deadLetter(batch.firstSeq(), batch.lastSeq(), payload, reason, clock.millis());
        headFailures = 0;
        nextSeq = batch.lastSeq() + 1;
        return true;
    }

    /** Counts a failure against the oldest batch in flight, the one a poison message would be. */
    private void countHeadFailure(String why) {
        InFlight head = inFlight.peekFirst();
        if (head == null) {
            return;
        }
        if (head.firstSeq != headFailureSeq) {
            headFailureSeq = head.firstSeq;
            headFailures = 0;
        }
        headFailures++;
        lastFailure = why;
    }

    private void onPublished(InFlight entry, long sentInEpoch, Throwable error) {
        if (sentInEpoch != epoch) {
            return; // from before a reconnect: that window is being resent
        }
        if (error != null) {
            Throwable cause = unwrap(error);
            count(0, 0, 1, 0);
            if (cause instanceof PublishRefusedException refused && !refused.temporary()) {
                countHeadFailure("refused by the broker: " + cause.getMessage());
                Logger.warn("sync batch refused by the broker first={} last={} error={}", entry.firstSeq,
                        entry.lastSeq, cause.getMessage());
            } else if (cause instanceof PublishRefusedException) {
                long notLogged = failureLog.occurred();
                if (notLogged >= 0) {
                    Logger.warn("sync batch not taken for now by the broker, sending again shortly first={} last={}"
                            + " reason={} notLogged={}", entry.firstSeq, entry.lastSeq, cause.getMessage(), notLogged);
                }
                schedulePumpIn(RETRY_AFTER_QUOTA_NANOS);
            } else {
                // back-pressure (a full queue on the unit), or the link going down: not the broker refusing
                // this batch, so it never counts towards dead-lettering; the window is sent again shortly
                long notLogged = failureLog.occurred();
                if (notLogged >= 0) {
                    Logger.warn("sync publish not accepted, sending again shortly first={} last={} reason={}"
                            + " notLogged={}", entry.firstSeq, entry.lastSeq, describe(cause), notLogged);
                }
                schedulePumpIn(RETRY_AFTER_BUSY_NANOS);
            }
            forgetInFlight();
            return;
        }
        entry.acked = true;
        if (entry.firstSeq == headFailureSeq) {
            headFailures = 0;
        }
        count(0, 1, 0, 0);
        long ackUpTo = -1;
        while (!inFlight.isEmpty() && inFlight.peekFirst().acked) {
            ackUpTo = inFlight.removeFirst().lastSeq;
        }
        if (ackUpTo > 0) {
            try {
                outbox.acknowledge(ackUpTo);
                log.cleared("ack", "sync records acknowledgements again seq={}", ackUpTo);
                SyncStats s = stats;
                stats = new SyncStats(s.batchesPublished(), s.batchesAcked(), s.publishFailures(), s.resends(),
                        ackUpTo);
            } catch (StoreException e) {
                // the cloud has them; at worst they are sent again after a restart and dropped as duplicates
                acknowledgementFailures++; // written on the sync's thread only
                log.error("ack." + FailureLog.kindOf(e), "sync cannot record acknowledgement seq={} error={}", ackUpTo, e.getMessage());
            }
        }
        pump();
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof java.util.concurrent.CompletionException
                || e instanceof java.util.concurrent.ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** Drops the window: everything not acknowledged is read again from the outbox. */
    private void forgetInFlight() {
        if (!inFlight.isEmpty()) {
            count(0, 0, 0, 1);
            Logger.info("sync will resend unacknowledged batches first={} count={}", inFlight.peekFirst().firstSeq,
                    inFlight.size());
        }
        epoch++;
        inFlight.clear();
        eventInFlight = false;
        nextSeq = -1;
    }

    private void count(long published, long acked, long failures, long resends) {
        SyncStats s = stats;
        stats = new SyncStats(s.batchesPublished() + published, s.batchesAcked() + acked,
                s.publishFailures() + failures, s.resends() + resends, s.acknowledgedSeq());
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.cancel(false);
        }
    }
}
