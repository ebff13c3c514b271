package com.oviron.callidus.tools.fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Watches which units are connected, every {@link #TICK_MS} ms, and records each unit's transitions from
 * down to up (a connect) with its time, so that a scenario can tell how long the fleet took to come back,
 * the spread of the reconnect times and the connects per second; and the connect attempts the units began in
 * each tick (their own counters, so none is missed), which is what their backoff spreads and what reaches
 * the brokers' listeners, answered or not. Polling is cheap ({@link FleetUnit#connected()}
 * reads a flag); a unit that drops and reconnects within one tick is missed, which a scenario's reconnect
 * waits (at least 1 s cap) make rare.
 */
final class ConnectionTimeline implements AutoCloseable {
    static final int TICK_MS = 100;

    private final List<? extends FleetUnit> units;
    private boolean[] up = new boolean[0];
    private final List<long[]> connects = new ArrayList<>(); // {nanos, unit index}
    private final List<long[]> drops = new ArrayList<>(); // {nanos, unit index}
    private final List<long[]> attempts = new ArrayList<>(); // {nanos, attempts begun since the last tick}
    private long[] attemptsSeen = new long[0];
    private final ScheduledFuture<?> task;
    private volatile int connectedNow;

    ConnectionTimeline(List<? extends FleetUnit> units, ScheduledExecutorService timer) {
        this.units = units;
        this.task = timer.scheduleAtFixedRate(this::poll, 0, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /** One look at every unit (the timer calls it every {@link #TICK_MS} ms; tests call it directly). */
    synchronized void poll() {
        poll(System.nanoTime());
    }

    /** One look at every unit, as at {@code now} (a {@link System#nanoTime()}; tests choose it). */
    synchronized void poll(long now) {
        int n = 0;
        List<? extends FleetUnit> current;
        synchronized (units) {
            current = List.copyOf(units);
        }
        if (current.size() > up.length) {
            up = java.util.Arrays.copyOf(up, current.size());
        }
        if (current.size() > attemptsSeen.length) {
            int from = attemptsSeen.length;
            attemptsSeen = java.util.Arrays.copyOf(attemptsSeen, current.size());
            for (int i = from; i < current.size(); i++) {
                attemptsSeen[i] = current.get(i).connectAttempts(); // a new unit's earlier attempts are not news
            }
        }
        long begun = 0;
        for (int i = 0; i < current.size(); i++) {
            long a = current.get(i).connectAttempts();
            begun += a - attemptsSeen[i];
            attemptsSeen[i] = a;
            boolean c = current.get(i).connected();
            if (c && !up[i]) {
                connects.add(new long[] {now, i});
            } else if (!c && up[i]) {
                drops.add(new long[] {now, i});
            }
            up[i] = c;
            if (c) {
                n++;
            }
        }
        connectedNow = n;
        if (begun > 0) {
            attempts.add(new long[] {now, begun});
        }
    }

    /**
     * The most connect attempts the units began in any one second since {@code fromNanos} (counted per tick of
     * {@link #TICK_MS} ms, so a second is ten ticks).
     */
    synchronized long peakAttemptsPerSecond(long fromNanos) {
        List<long[]> a = attempts.stream().filter(x -> x[0] >= fromNanos).toList();
        long peak = 0;
        long sum = 0;
        int start = 0;
        for (int end = 0; end < a.size(); end++) {
            sum += a.get(end)[1];
            while (a.get(end)[0] - a.get(start)[0] >= 1_000_000_000L) {
                sum -= a.get(start)[1];
                start++;
            }
            peak = Math.max(peak, sum);
        }
        return peak;
    }

    /** Connect attempts the units began since {@code fromNanos}. */
    synchronized long attemptsSince(long fromNanos) {
        return attempts.stream().filter(x -> x[0] >= fromNanos).mapToLong(x -> x[1]).sum();
    }

    int connectedNow() {
        return connectedNow;
    }

    /** Connects since {@code fromNanos}, in order. */
    synchronized List<long[]> connectsSince(long fromNanos) {
        return connects.stream().filter(c -> c[0] >= fromNanos).toList();
    }

    /**
     * Seconds until every unit of {@code affected} had been seen disconnected at least once after
     * {@code fromNanos}, or -1. Not "all down at once": a unit may already be back on another node before the
     * last one noticed.
     */
    synchronized double allDroppedAfter(long fromNanos, java.util.Set<Integer> affected) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (long[] d : drops) {
            if (d[0] >= fromNanos && affected.contains((int) d[1]) && seen.add((int) d[1])
                    && seen.size() == affected.size()) {
                return (d[0] - fromNanos) / 1e9;
            }
        }
        return affected.isEmpty() ? 0 : -1;
    }

    /** How many units of {@code affected} reconnected after {@code fromNanos} and before {@code beforeNanos}. */
    synchronized int backBetween(long fromNanos, long beforeNanos, java.util.Set<Integer> affected) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (long[] c : connectsSince(fromNanos)) {
            if (c[0] < beforeNanos && affected.contains((int) c[1])) {
                seen.add((int) c[1]);
            }
        }
        return seen.size();
    }

    /** The indexes of the units connected now. */
    synchronized List<Integer> upNow() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < up.length; i++) {
            if (up[i]) {
                out.add(i);
            }
        }
        return out;
    }

    /** The most connects in any one second since {@code fromNanos}. */
    synchronized int peakPerSecond(long fromNanos) {
        List<long[]> c = connectsSince(fromNanos);
        int peak = 0;
        int start = 0;
        for (int end = 0; end < c.size(); end++) {
            while (c.get(end)[0] - c.get(start)[0] >= 1_000_000_000L) {
                start++;
            }
            peak = Math.max(peak, end - start + 1);
        }
        return peak;
    }

    /** Percentiles of the first reconnect of each unit in {@code units} after {@code fromNanos}, in seconds. */
    synchronized String spread(long fromNanos, java.util.Set<Integer> affected) {
        List<Double> t = new ArrayList<>();
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (long[] c : connectsSince(fromNanos)) {
            int unit = (int) c[1];
            if (affected.contains(unit) && seen.add(unit)) {
                t.add((c[0] - fromNanos) / 1e9);
            }
        }
        t.sort(Double::compare);
        if (t.isEmpty()) {
            return "none reconnected";
        }
        return String.format(Locale.ROOT, "%d of %d reconnected; after p50 %.1f s, p90 %.1f s, p99 %.1f s, max %.1f s",
                t.size(), affected.size(), pct(t, 50), pct(t, 90), pct(t, 99), t.get(t.size() - 1));
    }

    /** Seconds until the last unit of {@code affected} reconnected after {@code fromNanos}, or -1. */
    synchronized double allBackAfter(long fromNanos, java.util.Set<Integer> affected) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (long[] c : connectsSince(fromNanos)) {
            if (affected.contains((int) c[1]) && seen.add((int) c[1]) && seen.size() == affected.size()) {
                return (c[0] - fromNanos) / 1e9;
            }
        }
        return -1;
    }

    private static double pct(List<Double> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
