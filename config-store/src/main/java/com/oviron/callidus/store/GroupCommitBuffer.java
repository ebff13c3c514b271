package com.oviron.callidus.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.tinylog.Logger;

/**
 * Collects readings in memory and writes them to the outbox in one transaction when enough have come
 * ({@code maxRecords}) or the oldest has waited long enough ({@code maxDelay}): one fsync per group instead
 * of one per reading. A reading is accepted only once its group is written.
 *
 * <p>If the store fails, the readings stay here for the next attempt, up to {@code capacity}; beyond that
 * the oldest are dropped and counted, so memory stays bounded whatever the store does.
 *
 * <p>Not thread-safe: owned by the sampling thread.
 */
public final class GroupCommitBuffer {
    private final TelemetryOutbox outbox;
    private final int maxRecords;
    private final Duration maxDelay;
    private final int capacity;
    private final Clock clock;
    private final ArrayDeque<NewReading> buffered = new ArrayDeque<>();
    private Instant oldestSince;
    private long dropped;
    private long failedFlushes;

    public GroupCommitBuffer(TelemetryOutbox outbox, int maxRecords, Duration maxDelay, int capacity, Clock clock) {
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be at least 1, got " + maxRecords);
        }
        if (capacity < maxRecords) {
            throw new IllegalArgumentException("capacity " + capacity + " must be at least maxRecords " + maxRecords);
        }
        if (maxDelay.isNegative()) {
            throw new IllegalArgumentException("maxDelay must not be negative, got " + maxDelay);
        }
        this.outbox = outbox;
        this.maxRecords = maxRecords;
        this.maxDelay = maxDelay;
        this.capacity = capacity;
        this.clock = clock;
    }

    /** Adds readings and writes the group if it is due. Never throws for a store failure: see the class doc. */
    public void add(List<NewReading> readings) {
        if (buffered.isEmpty() && !readings.isEmpty()) {
            oldestSince = clock.instant();
        }
        buffered.addAll(readings);
        while (buffered.size() > capacity) {
            buffered.removeFirst();
            dropped++;
        }
        flushIfDue();
    }

    /** Writes the group if it is big or old enough; returns how many readings were written. */
    public int flushIfDue() {
        if (buffered.isEmpty()) {
            return 0;
        }
        boolean full = buffered.size() >= maxRecords;
        boolean old = !clock.instant().isBefore(oldestSince.plus(maxDelay));
        return full || old ? tryFlush() : 0;
    }

    /** Writes everything buffered now (shutdown); returns how many readings were written. */
    public int flush() {
        return buffered.isEmpty() ? 0 : tryFlush();
    }

    private int tryFlush() {
        List<NewReading> group = new ArrayList<>(buffered);
        try {
            outbox.append(group);
            buffered.clear();
            oldestSince = null;
            return group.size();
        } catch (StoreException e) {
            failedFlushes++;
            Logger.error("store write failed, readings kept in memory buffered={} dropped={} error={}",
                    buffered.size(), dropped, e.getMessage());
            // retry on the next add/flushIfDue; restart the age so a failing store is not hammered every call
            oldestSince = clock.instant();
            return 0;
        }
    }

    /** Readings waiting in memory, not yet accepted. */
    public int buffered() {
        return buffered.size();
    }

    /** Readings dropped because the store failed for longer than the memory buffer could bridge. */
    public long dropped() {
        return dropped;
    }

    /** Group writes that failed. */
    public long failedFlushes() {
        return failedFlushes;
    }
}
