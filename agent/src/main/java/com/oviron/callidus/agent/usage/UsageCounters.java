package com.oviron.callidus.agent.usage;

import com.google.gson.JsonObject;
import com.oviron.callidus.agent.diagnostics.RateLimitedLog;
import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.diagnostics.DiagnosticsStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.tinylog.Logger;

/**
 * The usage counters (operating time, each instrument's time, chair movements, water-line disinfections,
 * treatments), derived from the sample cycles and GPIO inputs as {@link UsageSettings} says, kept in
 * {@link DiagnosticsStore} so that they survive restarts, SIGKILL and updates. Times are added up in memory and
 * stored every flush interval; a counted event (a movement, a treatment) is stored at once. What is reported is
 * always what is stored, so a value the unit has shown is never taken back by a crash.
 *
 * <p>Used on one thread (the agent's {@code diagnostics} thread); {@link #json()} may be read from any.
 */
public final class UsageCounters {
    public static final String OPERATING = "operating_ms";
    public static final String INSTRUMENT_PREFIX = "instrument_ms.";
    public static final String CHAIR = "chair_movements";
    public static final String DISINFECTIONS = "disinfections";
    public static final String TREATMENTS = "treatments";
    /** A value older than this does not count as the channel's current value. */
    static final Duration MAX_AGE = Duration.ofSeconds(10);
    /** The longest step a cycle adds (a long pause of the sampler is not operating time). */
    static final Duration MAX_STEP = Duration.ofSeconds(10);

    private final UsageSettings settings;
    /** The instruments' conditions with their time counters' names, made once (not a string per cycle). */
    private final List<InstrumentTime> instruments;
    private final DiagnosticsStore store;
    private final BooleanSupplier gpioTreatment;
    private final RateLimitedLog failures;
    /** channel → {epoch ms, value} of its newest fresh reading. */
    private final Map<String, double[]> newest = new HashMap<>();
    private final Map<String, Long> pendingTime = new TreeMap<>();
    private final Map<String, Boolean> conditionBefore = new HashMap<>();
    private final Map<String, Boolean> lineState = new HashMap<>();
    private Instant lastCycle;
    private Instant lastInstrumentUse;
    private boolean inTreatment;

    /**
     * @param gpioTreatment whether the GPIO treatment inputs say a treatment is in progress (used when the
     *                      settings take treatments from GPIO)
     */
    public UsageCounters(UsageSettings settings, DiagnosticsStore store, BooleanSupplier gpioTreatment, Clock clock) {
        this.settings = settings;
        this.instruments = settings.instruments().entrySet().stream()
                .map(e -> new InstrumentTime(INSTRUMENT_PREFIX + e.getKey(), e.getValue())).toList();
        this.store = store;
        this.gpioTreatment = gpioTreatment;
        this.failures = new RateLimitedLog(clock, Duration.ofMinutes(10));
    }

    /** A sample cycle that delivered {@code readings}. */
    public void onCycle(Instant at, List<Reading> readings) {
        for (Reading r : readings) {
            if ((r.quality() == Quality.GOOD || r.quality() == Quality.OUT_OF_RANGE) && Double.isFinite(r.value())) {
                double[] v = newest.computeIfAbsent(r.channelId(), k -> new double[2]);
                v[0] = r.timestamp().toEpochMilli();
                v[1] = r.value();
            } else {
                newest.remove(r.channelId());
            }
        }
        long step = step(at);
        // runs every sample cycle: no lambda capturing the cycle's values (C1, the unit's only compiler, allocates
        // each through a call into the VM) and no counter name made anew
        Optional<UsageSettings.Condition> operating = settings.operating();
        if (operating.isPresent() && holds(operating.get(), at)) {
            pendingTime.merge(OPERATING, step, Long::sum);
        }
        boolean instrumentInUse = false;
        for (InstrumentTime i : instruments) {
            if (holds(i.condition(), at)) {
                instrumentInUse = true;
                pendingTime.merge(i.counter(), step, Long::sum);
            }
        }
        if (instrumentInUse) {
            lastInstrumentUse = at;
        }
        edge(CHAIR, settings.chairMovements(), at);
        edge(DISINFECTIONS, settings.disinfections(), at);
        treatment(at);
    }

    /** An instrument's condition and the name of its time counter. */
    private record InstrumentTime(String counter, UsageSettings.Condition condition) {
    }

    /** A sample cycle in which nothing could be read: no time counts, values are not current any more. */
    public void onFailedCycle(Instant at) {
        step(at);
        newest.clear();
        treatment(at);
    }

    /** A debounced GPIO input change. */
    public void onGpio(String line, boolean active, Instant at) {
        Boolean before = lineState.put(line, active);
        if (active && Boolean.FALSE.equals(before)) {
            count(CHAIR, settings.chairMovements().flatMap(UsageSettings.Signal::gpio).filter(line::equals), at);
            count(DISINFECTIONS, settings.disinfections().flatMap(UsageSettings.Signal::gpio).filter(line::equals), at);
        }
    }

    /** A GPIO input's state when the agent starts (an input already active is not a new activation). */
    public void gpioState(String line, boolean active) {
        lineState.put(line, active);
    }

    /** Whether the unit is in treatment now (for stuck-sensor alarms and the treatment counter). */
    public boolean inTreatment() {
        return inTreatment;
    }

    private void treatment(Instant at) {
        boolean now = settings.treatmentsFromGpio() ? gpioTreatment.getAsBoolean()
                : lastInstrumentUse != null && Duration.between(lastInstrumentUse, at)
                        .compareTo(settings.treatmentHoldOff()) <= 0;
        if (now && !inTreatment) {
            store(Map.of(TREATMENTS, 1L), at);
        }
        inTreatment = now;
    }

    private void edge(String counter, Optional<UsageSettings.Signal> signal, Instant at) {
        if (signal.isEmpty() || signal.get().condition().isEmpty()) {
            return;
        }
        UsageSettings.Condition c = signal.get().condition().get();
        if (!newest.containsKey(c.channel())) {
            return;
        }
        boolean holds = holds(c, at);
        Boolean before = conditionBefore.put(counter, holds);
        if (holds && Boolean.FALSE.equals(before)) {
            store(Map.of(counter, 1L), at);
        }
    }

    private void count(String counter, Optional<String> matched, Instant at) {
        if (matched.isPresent()) {
            store(Map.of(counter, 1L), at);
        }
    }

    private boolean holds(UsageSettings.Condition c, Instant at) {
        double[] v = newest.get(c.channel());
        return v != null && at.toEpochMilli() - (long) v[0] <= MAX_AGE.toMillis() && c.holds(v[1]);
    }

    private long step(Instant at) {
        long d = lastCycle == null ? 0 : Duration.between(lastCycle, at).toMillis();
        lastCycle = at;
        return Math.max(0, Math.min(d, MAX_STEP.toMillis()));
    }

    /** Stores the time counted since the last flush. */
    public void flush(Instant at) {
        if (pendingTime.isEmpty()) {
            return;
        }
        if (store(new TreeMap<>(pendingTime), at)) {
            pendingTime.clear();
        }
    }

    private boolean store(Map<String, Long> deltas, Instant at) {
        try {
            store.addToCounters(deltas, at.toEpochMilli());
            return true;
        } catch (StoreException e) {
            failures.warn("usage counters not stored, kept in memory", "error=" + e.getMessage());
            if (deltas.size() == 1 && !deltas.containsKey(OPERATING)
                    && !deltas.keySet().iterator().next().startsWith(INSTRUMENT_PREFIX)) {
                // an event counter's increment waits with the times for the next flush
                deltas.forEach((k, v) -> pendingTime.merge(k, v, Long::sum));
            }
            return false;
        }
    }

    /** The counters as stored, in the form of {@code diagnostics.get}'s {@code usage} (docs/protocol.md). */
    public JsonObject json() {
        Map<String, Long> values;
        try {
            values = store.counters();
        } catch (StoreException e) {
            JsonObject o = new JsonObject();
            o.addProperty("error", "the usage counters cannot be read: " + e.getMessage());
            return o;
        }
        return json(values, settings);
    }

    /** Counters (stored values, or differences over a period) as JSON. */
    public static JsonObject json(Map<String, Long> values, UsageSettings settings) {
        JsonObject o = new JsonObject();
        o.add("operating", time(values.getOrDefault(OPERATING, 0L), settings.operating().map(Object::toString)));
        JsonObject instruments = new JsonObject();
        settings.instruments().forEach((name, c) -> instruments.add(name,
                time(values.getOrDefault(INSTRUMENT_PREFIX + name, 0L), Optional.of(c.toString()))));
        o.add("instruments", instruments);
        o.add("chairMovements", count(values.getOrDefault(CHAIR, 0L), settings.chairMovements().map(Object::toString)));
        o.add("disinfections", count(values.getOrDefault(DISINFECTIONS, 0L),
                settings.disinfections().map(Object::toString)));
        o.add("treatments", count(values.getOrDefault(TREATMENTS, 0L), Optional.of(settings.treatmentsFromGpio()
                ? "gpio treatment inputs" : "instruments in use, hold-off " + settings.treatmentHoldOff().toSeconds() + " s")));
        return o;
    }

    private static JsonObject time(long millis, Optional<String> source) {
        JsonObject o = new JsonObject();
        o.addProperty("seconds", millis / 1000);
        o.addProperty("hours", Math.round(millis / 36_000.0) / 100.0);
        o.addProperty("source", source.orElse("none"));
        return o;
    }

    private static JsonObject count(long n, Optional<String> source) {
        JsonObject o = new JsonObject();
        o.addProperty("count", n);
        o.addProperty("source", source.orElse("none"));
        return o;
    }

    /** Logged at start, so a technician sees what is counted. */
    public void logSources() {
        Logger.info("usage counters operating={} instruments={} chairMovements={} disinfections={} treatments={}",
                settings.operating().map(Object::toString).orElse("none"), settings.instruments(),
                settings.chairMovements().map(Object::toString).orElse("none"),
                settings.disinfections().map(Object::toString).orElse("none"),
                settings.treatmentsFromGpio() ? "gpio" : "instruments");
    }
}
