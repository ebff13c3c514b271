package com.oviron.callidus.store.diagnostics;

import com.oviron.callidus.store.StoreException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the unit keeps for service diagnostics, apart from the telemetry outbox: alarms with their lifecycle,
 * per-channel aggregates per minute, hour and day, usage counters (with their values at the end of each day)
 * and a few facts of the agent's own (key/value). Implementations: {@link SqliteDiagnosticsStore} (the file
 * {@code diagnostics.db}) and {@code store.fake.InMemoryDiagnosticsStore}.
 *
 * <p>Thread-safe; in the agent used from its {@code diagnostics} thread (and read by commands).
 */
public interface DiagnosticsStore extends AutoCloseable {

    /** Stores a new alarm (its id is ignored) and returns it with the id it got. */
    AlarmRecord insertAlarm(AlarmRecord alarm) throws StoreException;

    /** Replaces the stored alarm of the same id. */
    void updateAlarm(AlarmRecord alarm) throws StoreException;

    /** The alarm of that id, if the unit still keeps it. */
    Optional<AlarmRecord> alarm(long id) throws StoreException;

    /** Alarms not yet closed, oldest first. */
    List<AlarmRecord> openAlarms() throws StoreException;

    /**
     * Alarms that were present during {@code [fromMillis, toMillis)} (raised before its end, and active or
     * cleared after its start), oldest first, at most {@code limit}.
     */
    List<AlarmRecord> alarms(long fromMillis, long toMillis, int limit) throws StoreException;

    /**
     * Adds closed minutes' figures: each row is merged into its minute (a minute written twice, e.g. across a
     * restart, adds up) and into its hour and its day, all in one transaction.
     */
    void addMinutes(List<AggregateRow> minuteRows) throws StoreException;

    /** Rows of a level with a start in {@code [fromMillis, toMillis)}, by channel, then start. */
    List<AggregateRow> aggregates(AggregateLevel level, long fromMillis, long toMillis) throws StoreException;

    /** The usage counters now, by name. */
    Map<String, Long> counters() throws StoreException;

    /**
     * Adds to usage counters (a missing one starts at 0) and records the new values as the values of the UTC
     * day of {@code atMillis}, in one transaction.
     */
    void addToCounters(Map<String, Long> deltas, long atMillis) throws StoreException;

    /** The counters as they stood at the end of the UTC day that starts at {@code dayStartMillis} (or earlier). */
    Map<String, Long> countersAtEndOfDay(long dayStartMillis) throws StoreException;

    /** A fact of the agent's own, e.g. when the last heartbeat was sent. */
    Optional<String> meta(String key) throws StoreException;

    void putMeta(String key, String value) throws StoreException;

    /**
     * Removes what is older than the limits: closed alarms and day counter values older than {@code keepDays},
     * aggregates by their level's limit.
     *
     * @return rows removed
     */
    int prune(long nowMillis, Retention retention) throws StoreException;

    /** SQLite's quick check of the file ("ok" when sound); the in-memory store is always "ok". */
    String quickCheck() throws StoreException;

    @Override
    void close();

    /**
     * How long aggregates are kept per level (each at least as long as the finer one).
     *
     * @param keepMinutesMillis per-minute rows
     * @param keepHoursMillis   per-hour rows
     * @param keepDaysMillis    per-day rows, closed alarms and the counters' day values
     */
    record Retention(long keepMinutesMillis, long keepHoursMillis, long keepDaysMillis) {
        public Retention {
            if (keepMinutesMillis <= 0 || keepHoursMillis < keepMinutesMillis || keepDaysMillis < keepHoursMillis) {
                throw new IllegalArgumentException("keep minutes <= hours <= days, all above 0");
            }
        }
    }
}
