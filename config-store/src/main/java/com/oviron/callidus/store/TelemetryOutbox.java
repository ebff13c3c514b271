package com.oviron.callidus.store;

import java.util.List;

/**
 * The durable buffer between sampling and the cloud: readings go in with {@link #append}, come out in
 * sequence order with {@link #readAfter}, and leave only when the cloud has acknowledged them
 * ({@link #acknowledge}). Implementations: {@code store.sqlite} (the real one) and {@code store.fake}.
 *
 * <p>Thread-safe: the sampler appends while the sync reads and acknowledges.
 */
public interface TelemetryOutbox extends AutoCloseable {

    /**
     * Stores the readings in one transaction and gives them the next sequence numbers, in list order.
     * When this returns, the readings are accepted: they survive a crash of the process.
     *
     * @return the sequence number given to the last reading (unchanged if the list is empty)
     */
    long append(List<NewReading> readings) throws StoreException;

    /** Up to {@code limit} not yet acknowledged records with a sequence number above {@code afterSeq}, in order. */
    List<TelemetryRecord> readAfter(long afterSeq, int limit) throws StoreException;

    /**
     * Records that the cloud has every reading up to and including {@code seq}; they may now be removed.
     * Acknowledging less than what is already acknowledged does nothing.
     *
     * @throws IllegalArgumentException if {@code seq} is beyond the last appended sequence number
     */
    void acknowledge(long seq) throws StoreException;

    /** The highest acknowledged sequence number (0 before the first acknowledgement). */
    long acknowledgedSeq() throws StoreException;

    /** The sequence number of the last accepted reading (0 before the first). */
    long lastSeq() throws StoreException;

    /**
     * Sets a batch aside that the broker will not take (too large, refused again and again): its payload and
     * the reason go to the dead-letter table, its readings leave the stream as if acknowledged, and an alarm
     * event is raised. The stream goes on after it.
     *
     * @param firstSeq the batch's first sequence number; must be the first unacknowledged one
     * @param lastSeq  the batch's last sequence number
     */
    void deadLetter(long firstSeq, long lastSeq, byte[] payload, String reason, long atMillis) throws StoreException;

    /** Batches set aside so far. */
    long deadLetterCount() throws StoreException;

    /** Stores an alarm or audit event; returns its sequence number in the events stream. */
    default long appendEvent(long atMillis, String kind, String severity, String message) throws StoreException {
        return appendEvent(atMillis, kind, severity, message, java.util.Optional.empty());
    }

    /**
     * Stores an alarm or audit event with machine-readable detail (a JSON object's text, see
     * {@link StoredEvent#detail()}); returns its sequence number in the events stream.
     */
    long appendEvent(long atMillis, String kind, String severity, String message, java.util.Optional<String> detail)
            throws StoreException;

    /** Up to {@code limit} events not yet acknowledged, oldest first. */
    List<StoredEvent> pendingEvents(int limit) throws StoreException;

    /** The cloud has the events up to and including {@code seq}. */
    void acknowledgeEvents(long seq) throws StoreException;

    /** Size and retention figures. */
    StoreStats stats() throws StoreException;

    /**
     * Figures per channel and bucket over {@code [fromMillis, toMillis)}, from the per-minute history of
     * readings that have left the raw table (acknowledged or dropped; kept for {@code aggregateMaxAge}) and
     * the raw readings still waiting. Ordered by channel, then bucket; buckets without readings are left out.
     *
     * @param bucketMillis a whole number of minutes
     */
    List<PeriodSummary> summarize(long fromMillis, long toMillis, long bucketMillis) throws StoreException;

    /** How many accepted readings wait for acknowledgement. */
    default long pendingCount() throws StoreException {
        return lastSeq() - acknowledgedSeq();
    }

    @Override
    void close();
}
