package com.oviron.callidus.store.fake;

import com.oviron.callidus.store.NewReading;
import com.oviron.callidus.store.PeriodSummary;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.StoreStats;
import com.oviron.callidus.store.StoredEvent;
import com.oviron.callidus.store.TelemetryOutbox;
import com.oviron.callidus.store.TelemetryRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A telemetry outbox in memory, for tests of the components around the store. It can be told to fail the
 * next appends, as a full disk would.
 */
public final class InMemoryTelemetryOutbox implements TelemetryOutbox {
    private final TreeMap<Long, TelemetryRecord> pending = new TreeMap<>();
    /** Every reading ever appended, for period reports (a test fake: no retention). */
    private final List<TelemetryRecord> history = new ArrayList<>();
    private long lastSeq;
    private long acknowledged;
    private int failAppends;
    private int failAcknowledgements;
    private boolean closed;

    @Override
    public synchronized long append(List<NewReading> readings) throws StoreException {
        ensureOpen();
        if (failAppends > 0) {
            failAppends--;
            throw new StoreException("scripted append failure");
        }
        for (NewReading r : readings) {
            lastSeq++;
            TelemetryRecord record = new TelemetryRecord(lastSeq, r.channelId(), r.timestampMillis(), r.value(),
                    r.qualityCode());
            pending.put(lastSeq, record);
            history.add(record);
        }
        return lastSeq;
    }

    @Override
    public synchronized List<TelemetryRecord> readAfter(long afterSeq, int limit) throws StoreException {
        ensureOpen();
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        List<TelemetryRecord> out = new ArrayList<>();
        for (TelemetryRecord r : pending.tailMap(afterSeq, false).values()) {
            if (out.size() == limit) {
                break;
            }
            out.add(r);
        }
        return out;
    }

    @Override
    public synchronized void acknowledge(long seq) throws StoreException {
        ensureOpen();
        if (seq > lastSeq) {
            throw new IllegalArgumentException("cannot acknowledge seq " + seq + ": the last accepted is " + lastSeq);
        }
        if (seq <= acknowledged) {
            return;
        }
        if (failAcknowledgements > 0) {
            failAcknowledgements--;
            throw new StoreException("scripted acknowledgement failure: database or disk is full");
        }
        acknowledged = seq;
        pending.headMap(seq, true).clear();
    }

    @Override
    public synchronized long acknowledgedSeq() throws StoreException {
        ensureOpen();
        return acknowledged;
    }

    @Override
    public synchronized long lastSeq() throws StoreException {
        ensureOpen();
        return lastSeq;
    }

    private final TreeMap<Long, StoredEvent> events = new TreeMap<>();
    private long deadLetters;

    @Override
    public synchronized void deadLetter(long firstSeq, long lastSeq, byte[] payload, String reason, long atMillis)
            throws StoreException {
        ensureOpen();
        deadLetters++;
        acknowledge(lastSeq);
        appendEvent(atMillis, "telemetry.dead_letter", "alarm", "readings " + firstSeq + ".." + lastSeq
                + " set aside: " + reason);
    }

    @Override
    public synchronized long deadLetterCount() throws StoreException {
        ensureOpen();
        return deadLetters;
    }
    private long lastEventSeq;

    @Override
    public synchronized long appendEvent(long atMillis, String kind, String severity, String message,
                                         java.util.Optional<String> detail) throws StoreException {
        ensureOpen();
        StoredEvent event = new StoredEvent(lastEventSeq + 1, atMillis, kind, severity, message, detail);
        lastEventSeq++;
        events.put(lastEventSeq, event);
        return lastEventSeq;
    }

    @Override
    public synchronized List<StoredEvent> pendingEvents(int limit) throws StoreException {
        ensureOpen();
        return events.values().stream().limit(limit).toList();
    }

    @Override
    public synchronized void acknowledgeEvents(long seq) throws StoreException {
        ensureOpen();
        events.headMap(seq, true).clear();
    }

    @Override
    public synchronized List<PeriodSummary> summarize(long fromMillis, long toMillis, long bucketMillis)
            throws StoreException {
        ensureOpen();
        if (bucketMillis <= 0 || bucketMillis % 60_000 != 0) {
            throw new IllegalArgumentException("bucket must be a whole number of minutes, got " + bucketMillis + " ms");
        }
        java.util.Map<String, java.util.TreeMap<Long, double[]>> byChannel = new java.util.TreeMap<>();
        for (TelemetryRecord r : history) {
            if (r.timestampMillis() < fromMillis || r.timestampMillis() >= toMillis || Double.isNaN(r.value())) {
                continue;
            }
            long bucket = Math.floorDiv(r.timestampMillis(), bucketMillis) * bucketMillis;
            double[] f = byChannel.computeIfAbsent(r.channelId(), k -> new java.util.TreeMap<>())
                    .computeIfAbsent(bucket, k -> new double[] {0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0});
            f[0]++;
            f[1] = Math.min(f[1], r.value());
            f[2] = Math.max(f[2], r.value());
            f[3] += r.value();
        }
        List<PeriodSummary> out = new ArrayList<>();
        byChannel.forEach((channel, buckets) -> buckets.forEach((start, f) ->
                out.add(new PeriodSummary(channel, start, (long) f[0], f[1], f[2], f[3] / f[0]))));
        return out;
    }

    @Override
    public synchronized StoreStats stats() throws StoreException {
        ensureOpen();
        return new StoreStats(pending.size() * 32L, 0, 0);
    }

    /** The next {@code count} appends throw {@link StoreException} and store nothing. */
    public synchronized void failNextAppends(int count) {
        failAppends = count;
    }

    /** The next {@code count} acknowledgements (that would move the cursor) throw and record nothing, as on a
     * disk the store could not make room on. */
    public synchronized void failNextAcknowledgements(int count) {
        failAcknowledgements = count;
    }

    private void ensureOpen() throws StoreException {
        if (closed) {
            throw new StoreException("store is closed");
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
