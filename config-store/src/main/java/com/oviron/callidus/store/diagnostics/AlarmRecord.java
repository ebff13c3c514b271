package com.oviron.callidus.store.diagnostics;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One alarm on the unit, from its first raise until it has been both cleared and acknowledged (then it is
 * closed and kept as history). Raised again while it is still open (cleared, not yet acknowledged), it is the
 * same alarm with a higher {@code count}.
 *
 * @param id           the alarm's number on this unit (from 1; 0 before it is stored)
 * @param rule         the rule that raised it, e.g. {@code main_air_pressure.low}
 * @param code         its error-code catalog entry, e.g. {@code A121}
 * @param channel      the channel or GPIO line it is about; empty for the board as a whole
 * @param active       whether the condition is present now
 * @param acknowledged whether a person has acknowledged it
 * @param firstAt      epoch ms of its first raise
 * @param lastAt       epoch ms of its latest raise
 * @param clearedAt    epoch ms it was last cleared, absent while it never was
 * @param count        how often it was raised while open
 * @param value        the value that raised it the latest time (NaN when the rule has none)
 * @param limit        the rule's limit it crossed (NaN when the rule has none)
 * @param worst        the value furthest beyond the limit while it was active (NaN when none)
 * @param ackAt        epoch ms of the acknowledgement, absent if none
 * @param ackBy        who acknowledged it ({@code cloud}, {@code console} or a name); empty if nobody
 * @param closedAt     epoch ms it was closed (cleared and acknowledged), absent while open
 */
public record AlarmRecord(long id, String rule, String code, String channel, boolean active, boolean acknowledged,
                          long firstAt, long lastAt, OptionalLong clearedAt, int count, double value, double limit,
                          double worst, OptionalLong ackAt, String ackBy, OptionalLong closedAt) {
    public AlarmRecord {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(clearedAt, "clearedAt");
        Objects.requireNonNull(ackAt, "ackAt");
        Objects.requireNonNull(ackBy, "ackBy");
        Objects.requireNonNull(closedAt, "closedAt");
        if (rule.isEmpty() || code.isEmpty()) {
            throw new IllegalArgumentException("an alarm needs a rule and a code");
        }
        if (count < 1) {
            throw new IllegalArgumentException("an alarm has been raised at least once, count " + count);
        }
    }

    /** Whether it is still on the unit's list (not yet both cleared and acknowledged). */
    public boolean open() {
        return closedAt.isEmpty();
    }

    /** This alarm with the given id (after it was stored). */
    public AlarmRecord withId(long newId) {
        return new AlarmRecord(newId, rule, code, channel, active, acknowledged, firstAt, lastAt, clearedAt, count,
                value, limit, worst, ackAt, ackBy, closedAt);
    }
}
