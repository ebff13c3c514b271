package com.oviron.callidus.agent.alarms;

import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/** Each rule type's state and decisions, for {@link AlarmEngine} (which documents what they decide). */
final class RuleMonitors {
    private RuleMonitors() {
    }

    /** The monitor of a rule. */
    static Monitor of(AlarmRule r) {
        if (r instanceof AlarmRule.Threshold t) {
            return new ThresholdMonitor(t);
        } else if (r instanceof AlarmRule.Rate t) {
            return new RateMonitor(t);
        } else if (r instanceof AlarmRule.Stuck t) {
            return new StuckMonitor(t);
        } else if (r instanceof AlarmRule.OutOfRange t) {
            return new OutOfRangeMonitor(t);
        } else if (r instanceof AlarmRule.BoardSilent t) {
            return new SilentMonitor(t);
        }
        return new GpioMonitor((AlarmRule.GpioInput) r);
    }

    static boolean fresh(Reading r) {
        return (r.quality() == Quality.GOOD || r.quality() == Quality.OUT_OF_RANGE) && Double.isFinite(r.value());
    }

    /** One rule's state. */
    abstract static class Monitor {
        boolean active;

        abstract AlarmRule rule();

        void onReading(Reading r, AlarmEngine.Listener l) {
        }

        void onTick(Instant at, Duration step, boolean inTreatment, AlarmEngine.Listener l) {
        }

        void raise(Instant at, double value, double limit, AlarmEngine.Listener l) {
            active = true;
            l.raised(rule(), at, value, limit);
        }

        void clear(Instant at, AlarmEngine.Listener l) {
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
        void onReading(Reading r, AlarmEngine.Listener l) {
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
        void onTick(Instant at, Duration step, boolean inTreatment, AlarmEngine.Listener l) {
            if (!active && pendingSince != null) {
                check(at, l);
            }
        }

        private void check(Instant at, AlarmEngine.Listener l) {
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
        void onReading(Reading r, AlarmEngine.Listener l) {
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
        void onReading(Reading r, AlarmEngine.Listener l) {
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
        void onTick(Instant at, Duration step, boolean inTreatment, AlarmEngine.Listener l) {
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
        void onReading(Reading r, AlarmEngine.Listener l) {
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
        void onTick(Instant at, Duration step, boolean inTreatment, AlarmEngine.Listener l) {
            if (!active && pendingSince != null && lastOut) {
                check(at, l);
            }
        }

        private void check(Instant at, AlarmEngine.Listener l) {
            if (!Duration.between(pendingSince, at).minus(rule.minDuration()).isNegative()) {
                pendingSince = null;
                raise(at, last, last > rule.validMax() ? rule.validMax() : rule.validMin(), l);
            }
        }
    }

    static final class SilentMonitor extends Monitor {
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
        void onCycle(Instant at, Boolean heard, AlarmEngine.Listener l) {
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

    static final class GpioMonitor extends Monitor {
        private final AlarmRule.GpioInput rule;
        private Instant badSince;

        GpioMonitor(AlarmRule.GpioInput rule) {
            this.rule = rule;
        }

        @Override
        AlarmRule rule() {
            return rule;
        }

        void onInput(boolean isActive, Instant at, AlarmEngine.Listener l) {
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
        void onTick(Instant at, Duration step, boolean inTreatment, AlarmEngine.Listener l) {
            if (!active && badSince != null && !Duration.between(badSince, at).minus(rule.minDuration()).isNegative()) {
                raise(at, rule.whenActive() ? 1 : 0, rule.whenActive() ? 1 : 0, l);
            }
        }
    }
}
