package com.oviron.callidus.agent.alarms;

import com.oviron.callidus.hal.Reading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import com.oviron.callidus.agent.alarms.RuleMonitors.GpioMonitor;
import com.oviron.callidus.agent.alarms.RuleMonitors.Monitor;
import com.oviron.callidus.agent.alarms.RuleMonitors.SilentMonitor;

/**
 * Decides when each rule's alarm is raised and cleared, from the sample cycles, the GPIO inputs and the
 * passing of time. Pure logic on one thread (the agent's {@code diagnostics} thread); what it decides goes to
 * a {@link Listener} ({@link AlarmBook} in the agent).
 *
 * <p>A reading is <em>fresh</em> when its quality is good or out of range and it has a finite value (a stale
 * reading repeats an old value; a communication error has none). Threshold, rate and out-of-range rules look at
 * the fresh readings of their channel; a cycle without a reading of a channel (the Modbus deadband left it out)
 * keeps its last value. Minimum durations are measured between reading times and checked again at every cycle.
 */
public final class AlarmEngine {

    /** Where the engine's decisions go. */
    public interface Listener {
        /** The rule's condition has held long enough. */
        void raised(AlarmRule rule, Instant at, double value, double limit);

        /** The condition is gone. */
        void cleared(AlarmRule rule, Instant at);

        /** While active: a value further beyond the limit than any before. */
        void worse(AlarmRule rule, double value);
    }

    /** A cycle's time between counting steps is capped at this (a long pause is not "time in treatment"). */
    static final Duration MAX_STEP = Duration.ofSeconds(10);

    private final Listener listener;
    private final List<Monitor> monitors = new ArrayList<>();
    private final Map<String, List<Monitor>> byChannel = new HashMap<>();
    private final Map<String, List<GpioMonitor>> byLine = new HashMap<>();
    private Instant lastCycle;

    public AlarmEngine(List<AlarmRule> rules, Listener listener) {
        this.listener = listener;
        for (AlarmRule r : rules) {
            Monitor m = RuleMonitors.of(r);
            monitors.add(m);
            if (m instanceof GpioMonitor g) {
                byLine.computeIfAbsent(r.subject(), k -> new ArrayList<>()).add(g);
            } else if (!(m instanceof SilentMonitor)) {
                byChannel.computeIfAbsent(r.subject(), k -> new ArrayList<>()).add(m);
            }
        }
    }

    /** Rules whose alarm was active when the agent stopped: they start active (and clear when the cause is gone). */
    public void restoreActive(Set<String> ruleIds) {
        for (Monitor m : monitors) {
            if (ruleIds.contains(m.rule().id())) {
                m.active = true;
            }
        }
    }

    /** Rule ids whose alarm is active now. */
    public Set<String> active() {
        Set<String> out = new java.util.TreeSet<>();
        monitors.stream().filter(m -> m.active).forEach(m -> out.add(m.rule().id()));
        return out;
    }

    /**
     * A sample cycle that delivered {@code readings} (possibly none).
     *
     * @param at          when the cycle ran
     * @param inTreatment whether the unit is in treatment now (for stuck rules)
     */
    public void onCycle(Instant at, List<Reading> readings, boolean inTreatment) {
        Duration step = step(at);
        boolean heard = false;
        boolean anyReading = !readings.isEmpty();
        for (Reading r : readings) {
            heard |= RuleMonitors.fresh(r);
            for (Monitor m : byChannel.getOrDefault(r.channelId(), List.of())) {
                m.onReading(r, listener);
            }
        }
        for (Monitor m : monitors) {
            if (m instanceof SilentMonitor s) {
                s.onCycle(at, heard ? Boolean.TRUE : anyReading ? Boolean.FALSE : null, listener);
            } else {
                m.onTick(at, step, inTreatment, listener);
            }
        }
    }

    /** A sample cycle in which nothing at all could be read (the board's device is gone or not answering). */
    public void onFailedCycle(Instant at) {
        step(at);
        for (Monitor m : monitors) {
            if (m instanceof SilentMonitor s) {
                s.onCycle(at, Boolean.FALSE, listener);
            } else if (m instanceof GpioMonitor g) {
                g.onTick(at, Duration.ZERO, false, listener);
            }
        }
    }

    /** A debounced GPIO input change. */
    public void onGpio(String line, boolean active, Instant at) {
        for (GpioMonitor g : byLine.getOrDefault(line, List.of())) {
            g.onInput(active, at, listener);
        }
    }

    /** Sets a GPIO input's state as it is now (at start, before any change arrives). */
    public void gpioState(String line, boolean active, Instant at) {
        onGpio(line, active, at);
    }

    private Duration step(Instant at) {
        Duration d = lastCycle == null ? Duration.ZERO : Duration.between(lastCycle, at);
        lastCycle = at;
        if (d.isNegative()) {
            return Duration.ZERO;
        }
        return d.compareTo(MAX_STEP) > 0 ? MAX_STEP : d;
    }

}
