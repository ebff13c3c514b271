package com.oviron.callidus.agent.alarms;

import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
            Monitor m;
            if (r instanceof AlarmRule.Threshold t) {
                m = new ThresholdMonitor(t);
            } else if (r instanceof AlarmRule.Rate t) {
                m = new RateMonitor(t);
            } else if (r instanceof AlarmRule.Stuck t) {
                m = new StuckMonitor(t);
            } else if (r instanceof AlarmRule.OutOfRange t) {
                m = new OutOfRangeMonitor(t);
            } else if (r instanceof AlarmRule.BoardSilent t) {
                m = new SilentMonitor(t);
            } else {
                m = new GpioMonitor((AlarmRule.GpioInput) r);
            }
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
            heard |= fresh(r);
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

    static boolean fresh(Reading r) {
        return (r.quality() == Quality.GOOD || r.quality() == Quality.OUT_OF_RANGE) && Double.isFinite(r.value());
    }

    /** One rule's state. */
    private abstract static class Monitor {
        boolean active;

        abstract AlarmRule rule();

        void onReading(Reading r, Listener l) {
        }

        void onTick(Instant at, Duration step, boolean inTreatment, Listener l) {
        }

        void raise(Instant at, double value, double limit, Listener l) {
            active = true;
            l.raised(rule(), at, value, limit);
        }

        void clear(Instant at, Listener l) {
            active = false;
            l.cleared(rule(), at);
        }
    }

    private static final class ThresholdMonitor extends Monitor {
        private final AlarmRule.Threshold rule;
        private Instant pendingSince;
        private double last = Double.NaN;
        private double worst = Double.NaN;

        ThresholdMonitor(AlarmRule.Threshold rule) {
            this.rule = rule;
        }

        @Override
        AlarmRule rule() {
            return rule;
        }

        @Override
        void onReading(Reading r, Listener l) {
            if (!fresh(r)) {
                return;
            }
            double v = r.value();
            last = v;
            if (active) {
                if (rule.back(v)) {
                    pendingSince = null;
                    clear(r.timestamp(), l);
                } else if (rule.beyond(v) && (Double.isNaN(worst)
                        || (rule.side() == AlarmRule.Side.ABOVE ? v > worst : v < worst))) {
                    worst = v;
                    l.worse(rule, v);
                }
                return;
            }
            if (!rule.beyond(v)) {
                pendingSince = null;
                return;
            }
            if (pendingSince == null) {
                pendingSince = r.timestamp();
            }
            check(r.timestamp(), l);
        }

        @Override
        void onTick(Instant at, Duration step, boolean inTreatment, Listener l) {
            if (!active && pendingSince != null) {
                check(at, l);
            }
        }

        private void check(Instant at, Listener l) {
            if (!Duration.between(pendingSince, at).minus(rule.minDuration()).isNegative()) {
                pendingSince = null;
                worst = last;
                raise(at, last, rule.limit(), l);
            }
        }
    }

    private static final class RateMonitor extends Monitor {
        private final AlarmRule.Rate rule;
        private final Deque<double[]> window = new ArrayDeque<>(); // {epoch ms, value}
        private Instant pendingSince;

        RateMonitor(AlarmRule.Rate rule) {
            this.rule = rule;
        }

        @Override
        AlarmRule rule() {
            return rule;
        }

        @Override
        void onReading(Reading r, Listener l) {
            if (!fresh(r)) {
                return;
            }
            long t = r.timestamp().toEpochMilli();
            window.addLast(new double[] {t, r.value()});
            while (window.size() > 1 && window.peekFirst()[0] < t - rule.within().toMillis()) {
                window.removeFirst();
            }
            double change = r.value() - window.peekFirst()[1];
            boolean bad = switch (rule.trend()) {
                case FALLING -> -change > rule.maxChange();
                case RISING -> change > rule.maxChange();
                case EITHER -> Math.abs(change) > rule.maxChange();
            };
            if (!bad) {
                pendingSince = null;
                if (active) {
                    clear(r.timestamp(), l);
                }
                return;
            }
            if (active) {
                return;
            }
            if (pendingSince == null) {
                pendingSince = r.timestamp();
            }
            if (!Duration.between(pendingSince, r.timestamp()).minus(rule.minDuration()).isNegative()) {
                pendingSince = null;
                raise(r.timestamp(), change, change < 0 ? -rule.maxChange() : rule.maxChange(), l);
            }
        }
    }

    private static final class StuckMonitor extends Monitor {
        private final AlarmRule.Stuck rule;
        private double reference = Double.NaN;
        private Duration unchanged = Duration.ZERO;

        StuckMonitor(AlarmRule.Stuck rule) {
            this.rule = rule;
        }

        @Override
        AlarmRule rule() {
            return rule;
        }

        @Override
        void onReading(Reading r, Listener l) {
            if (!fresh(r)) {
                return;
            }
            if (Double.isNaN(reference) || Math.abs(r.value() - reference) > rule.tolerance()) {
                reference = r.value();
                unchanged = Duration.ZERO;
                if (active) {
                    clear(r.timestamp(), l);
                }
            }
        }

        @Override
        void onTick(Instant at, Duration step, boolean inTreatment, Listener l) {
            if (Double.isNaN(reference) || active) {
                return;
            }
            if (inTreatment || !rule.onlyDuringTreatment()) {
                unchanged = unchanged.plus(step);
            }
            if (unchanged.compareTo(rule.period()) >= 0) {
                raise(at, reference, rule.tolerance(), l);
            }
        }
    }

    private static final class OutOfRangeMonitor extends Monitor {
        private final AlarmRule.OutOfRange rule;
        private Instant pendingSince;
        private double last = Double.NaN;
        private boolean lastOut;

        OutOfRangeMonitor(AlarmRule.OutOfRange rule) {
            this.rule = rule;
        }

        @Override
        AlarmRule rule() {
            return rule;
        }

        @Override
        void onReading(Reading r, Listener l) {
            if (!fresh(r)) {
                return;
            }
            double v = r.value();
            boolean out = r.quality() == Quality.OUT_OF_RANGE || v < rule.validMin() || v > rule.validMax();
            last = v;
            lastOut = out;
            if (!out) {
                pendingSince = null;
                if (active) {
                    clear(r.timestamp(), l);
                }
                return;
            }
            if (active) {
                l.worse(rule, v);
                return;
            }
            if (pendingSince == null) {
                pendingSince = r.timestamp();
            }
            check(r.timestamp(), l);
        }

        @Override
        void onTick(Instant at, Duration step, boolean inTreatment, Listener l) {
            if (!active && pendingSince != null && lastOut) {
                check(at, l);
            }
        }

        private void check(Instant at, Listener l) {
            if (!Duration.between(pendingSince, at).minus(rule.minDuration()).isNegative()) {
                pendingSince = null;
                raise(at, last, last > rule.validMax() ? rule.validMax() : rule.validMin(), l);
            }
        }
    }

    private static final class SilentMonitor extends Monitor {
        private final AlarmRule.BoardSilent rule;
        private Instant silentSince;

        SilentMonitor(AlarmRule.BoardSilent rule) {
            this.rule = rule;
        }

        @Override
        AlarmRule rule() {
            return rule;
        }

        /** @param heard true: a fresh reading came; false: nothing usable; null: no reading was due */
        void onCycle(Instant at, Boolean heard, Listener l) {
            if (Boolean.TRUE.equals(heard)) {
                silentSince = null;
                if (active) {
                    clear(at, l);
                }
                return;
            }
            if (Boolean.FALSE.equals(heard) && silentSince == null) {
                silentSince = at;
            }
            if (!active && silentSince != null
                    && !Duration.between(silentSince, at).minus(rule.period()).isNegative()) {
                raise(at, Duration.between(silentSince, at).toMillis() / 1000.0, rule.period().toMillis() / 1000.0, l);
            }
        }
    }

    private static final class GpioMonitor extends Monitor {
        private final AlarmRule.GpioInput rule;
        private Instant badSince;

        GpioMonitor(AlarmRule.GpioInput rule) {
            this.rule = rule;
        }

        @Override
        AlarmRule rule() {
            return rule;
        }

        void onInput(boolean isActive, Instant at, Listener l) {
            boolean bad = isActive == rule.whenActive();
            if (!bad) {
                badSince = null;
                if (active) {
                    clear(at, l);
                }
                return;
            }
            if (badSince == null) {
                badSince = at;
            }
            onTick(at, Duration.ZERO, false, l);
        }

        @Override
        void onTick(Instant at, Duration step, boolean inTreatment, Listener l) {
            if (!active && badSince != null && !Duration.between(badSince, at).minus(rule.minDuration()).isNegative()) {
                raise(at, rule.whenActive() ? 1 : 0, rule.whenActive() ? 1 : 0, l);
            }
        }
    }
}
