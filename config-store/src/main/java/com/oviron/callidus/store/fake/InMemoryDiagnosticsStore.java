package com.oviron.callidus.store.fake;

import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.diagnostics.AggregateLevel;
import com.oviron.callidus.store.diagnostics.AggregateRow;
import com.oviron.callidus.store.diagnostics.AlarmRecord;
import com.oviron.callidus.store.diagnostics.DiagnosticsStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@link DiagnosticsStore} in memory, for tests of the code around it. {@link #failNextWrites(int)} makes the
 * next writes fail as a full or broken disk would.
 */
public final class InMemoryDiagnosticsStore implements DiagnosticsStore {
    private final TreeMap<Long, AlarmRecord> alarms = new TreeMap<>();
    /** level → (channel, start) → row. */
    private final Map<AggregateLevel, TreeMap<String, AggregateRow>> aggregates = new HashMap<>();
    private final TreeMap<String, Long> counters = new TreeMap<>();
    /** day → name → value. */
    private final TreeMap<Long, TreeMap<String, Long>> counterDays = new TreeMap<>();
    private final Map<String, String> meta = new HashMap<>();
    private long nextId = 1;
    private int failures;
    private boolean closed;

    /** The next {@code n} writes throw a {@link StoreException} and change nothing. */
    public synchronized void failNextWrites(int n) {
        failures = n;
    }

    private void write() throws StoreException {
        read();
        if (failures > 0) {
            failures--;
            throw new StoreException("scripted write failure");
        }
    }

    private void read() throws StoreException {
        if (closed) {
            throw new StoreException("diagnostics store is closed");
        }
    }

    @Override
    public synchronized AlarmRecord insertAlarm(AlarmRecord alarm) throws StoreException {
        write();
        AlarmRecord stored = alarm.withId(nextId++);
        alarms.put(stored.id(), stored);
        return stored;
    }

    @Override
    public synchronized void updateAlarm(AlarmRecord alarm) throws StoreException {
        write();
        if (!alarms.containsKey(alarm.id())) {
            throw new StoreException("alarm " + alarm.id() + " is not stored");
        }
        alarms.put(alarm.id(), alarm);
    }

    @Override
    public synchronized Optional<AlarmRecord> alarm(long id) throws StoreException {
        read();
        return Optional.ofNullable(alarms.get(id));
    }

    @Override
    public synchronized List<AlarmRecord> openAlarms() throws StoreException {
        read();
        return alarms.values().stream().filter(AlarmRecord::open).toList();
    }

    @Override
    public synchronized List<AlarmRecord> alarms(long fromMillis, long toMillis, int limit) throws StoreException {
        read();
        return alarms.values().stream()
                .filter(a -> a.firstAt() < toMillis && (a.active()
                        || a.clearedAt().isPresent() && a.clearedAt().getAsLong() >= fromMillis))
                .sorted(Comparator.comparingLong(AlarmRecord::firstAt).thenComparingLong(AlarmRecord::id))
                .limit(limit).toList();
    }

    @Override
    public synchronized void addMinutes(List<AggregateRow> minuteRows) throws StoreException {
        for (AggregateRow r : minuteRows) {
            if (r.level() != AggregateLevel.MINUTE) {
                throw new IllegalArgumentException("only minute rows are added, got " + r.level());
            }
        }
        if (minuteRows.isEmpty()) {
            return;
        }
        write();
        for (AggregateRow minute : minuteRows) {
            for (AggregateLevel level : AggregateLevel.values()) {
                AggregateRow row = minute.as(level);
                aggregates.computeIfAbsent(level, l -> new TreeMap<>())
                        .merge(key(row.channel(), row.startMillis()), row, AggregateRow::merge);
            }
        }
    }

    private static String key(String channel, long start) {
        return channel + "\u0000" + String.format("%020d", start);
    }

    @Override
    public synchronized List<AggregateRow> aggregates(AggregateLevel level, long fromMillis, long toMillis)
            throws StoreException {
        read();
        return aggregates.getOrDefault(level, new TreeMap<>()).values().stream()
                .filter(r -> r.startMillis() >= fromMillis && r.startMillis() < toMillis)
                .sorted(Comparator.comparing(AggregateRow::channel).thenComparingLong(AggregateRow::startMillis))
                .toList();
    }

    @Override
    public synchronized Map<String, Long> counters() throws StoreException {
        read();
        return new TreeMap<>(counters);
    }

    @Override
    public synchronized void addToCounters(Map<String, Long> deltas, long atMillis) throws StoreException {
        if (deltas.isEmpty()) {
            return;
        }
        write();
        long day = AggregateLevel.DAY.bucketStart(atMillis);
        deltas.forEach((name, d) -> {
            long v = counters.merge(name, d, Long::sum);
            counterDays.computeIfAbsent(day, k -> new TreeMap<>()).put(name, v);
        });
    }

    @Override
    public synchronized Map<String, Long> countersAtEndOfDay(long dayStartMillis) throws StoreException {
        read();
        Map<String, Long> out = new TreeMap<>();
        for (Map<String, Long> values : counterDays.headMap(dayStartMillis, true).values()) {
            out.putAll(values);
        }
        return out;
    }

    @Override
    public synchronized Optional<String> meta(String key) throws StoreException {
        read();
        return Optional.ofNullable(meta.get(key));
    }

    @Override
    public synchronized void putMeta(String key, String value) throws StoreException {
        write();
        meta.put(key, value);
    }

    @Override
    public synchronized int prune(long nowMillis, Retention retention) throws StoreException {
        write();
        int removed = 0;
        long[] keep = {retention.keepMinutesMillis(), retention.keepHoursMillis(), retention.keepDaysMillis()};
        for (AggregateLevel level : AggregateLevel.values()) {
            TreeMap<String, AggregateRow> rows = aggregates.getOrDefault(level, new TreeMap<>());
            List<String> gone = new ArrayList<>();
            rows.forEach((k, r) -> {
                if (r.startMillis() < nowMillis - keep[level.ordinal()]) {
                    gone.add(k);
                }
            });
            gone.forEach(rows::remove);
            removed += gone.size();
        }
        long oldest = nowMillis - retention.keepDaysMillis();
        List<Long> closedGone = alarms.values().stream()
                .filter(a -> a.closedAt().isPresent() && a.closedAt().getAsLong() < oldest).map(AlarmRecord::id).toList();
        closedGone.forEach(alarms::remove);
        removed += closedGone.size();
        // a counter's newest day value stays, however old
        Map<String, Long> newestDay = new HashMap<>();
        counterDays.forEach((day, values) -> values.keySet().forEach(n -> newestDay.put(n, day)));
        for (Map.Entry<Long, TreeMap<String, Long>> e : counterDays.headMap(oldest, false).entrySet()) {
            int before = e.getValue().size();
            e.getValue().keySet().removeIf(n -> newestDay.get(n) > e.getKey());
            removed += before - e.getValue().size();
        }
        counterDays.values().removeIf(Map::isEmpty);
        return removed;
    }

    @Override
    public synchronized String quickCheck() throws StoreException {
        read();
        return "ok";
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
