package com.oviron.callidus.agent.alarms;

import java.time.Duration;
import java.util.Objects;

/**
 * One alarm rule (docs/configuration.md, {@code diagnostics.alarms}). Every rule has a stable id
 * ({@code <channel>.<type>}, {@code board.silent}, {@code gpio.<line>}), the error-catalog code it raises, and
 * the channel, board or GPIO line it watches. How each type decides: {@link AlarmEngine}.
 */
public sealed interface AlarmRule {

    /** {@code <channel>.high}, {@code board.silent}, ... */
    String id();

    /** The error-catalog code it raises. */
    String code();

    /** The channel id, {@code board}, or the GPIO line's name. */
    String subject();

    /** Which side of a limit is bad. */
    enum Side { ABOVE, BELOW }

    /** Which way a fast change is bad. */
    enum Trend { FALLING, RISING, EITHER }

    private static void check(String id, String code, Duration... durations) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(code, "code");
        for (Duration d : durations) {
            if (d.isNegative()) {
                throw new IllegalArgumentException(id + ": a duration must not be negative");
            }
        }
    }

    /**
     * High or low threshold: raised when every fresh reading for at least {@code minDuration} is beyond
     * {@code limit} (strictly above / below); cleared by the first reading back at or inside
     * {@code limit ∓ hysteresis}.
     */
    record Threshold(String id, String code, String subject, Side side, double limit, double hysteresis,
                     Duration minDuration) implements AlarmRule {
        public Threshold {
            check(id, code, minDuration);
            if (!Double.isFinite(limit) || !(hysteresis >= 0)) {
                throw new IllegalArgumentException(id + ": limit must be finite and hysteresis at least 0");
            }
        }

        boolean beyond(double v) {
            return side == Side.ABOVE ? v > limit : v < limit;
        }

        boolean back(double v) {
            return side == Side.ABOVE ? v <= limit - hysteresis : v >= limit + hysteresis;
        }
    }

    /**
     * Rate of change: raised when, for at least {@code minDuration}, the value has changed by more than
     * {@code maxChange} (in the bad direction) against the oldest reading within the last {@code within};
     * cleared when it no longer has.
     */
    record Rate(String id, String code, String subject, double maxChange, Duration within, Trend trend,
                Duration minDuration) implements AlarmRule {
        public Rate {
            check(id, code, within, minDuration);
            if (!(maxChange > 0) || !Double.isFinite(maxChange) || within.isZero()) {
                throw new IllegalArgumentException(id + ": maxChange must be above 0 and within above 0");
            }
        }
    }

    /**
     * Stuck sensor: raised when no fresh reading has differed from the reference value by more than
     * {@code tolerance} for {@code period} of time counted only while the unit is in treatment (or always);
     * cleared by the first reading that does.
     */
    record Stuck(String id, String code, String subject, Duration period, double tolerance,
                 boolean onlyDuringTreatment) implements AlarmRule {
        public Stuck {
            check(id, code, period);
            if (period.isZero() || !(tolerance >= 0)) {
                throw new IllegalArgumentException(id + ": period above 0, tolerance at least 0");
            }
        }
    }

    /**
     * Out of range: raised when every reading for at least {@code minDuration} is outside the channel's valid
     * range ({@code validMin..validMax}, or quality out of range); cleared by the first good reading inside it.
     */
    record OutOfRange(String id, String code, String subject, double validMin, double validMax,
                      Duration minDuration) implements AlarmRule {
        public OutOfRange {
            check(id, code, minDuration);
        }
    }

    /**
     * Lost communication with the board: raised when, for at least {@code period}, every sample cycle failed
     * or brought only stale or errored readings; cleared by the first cycle with a fresh reading.
     */
    record BoardSilent(String id, String code, Duration period) implements AlarmRule {
        public BoardSilent {
            check(id, code, period);
        }

        @Override
        public String subject() {
            return "board";
        }
    }

    /** A GPIO input: raised when it has been in the bad state for at least {@code minDuration}; cleared when not. */
    record GpioInput(String id, String code, String subject, boolean whenActive, Duration minDuration)
            implements AlarmRule {
        public GpioInput {
            check(id, code, minDuration);
        }
    }
}
