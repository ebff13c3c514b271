package com.oviron.callidus.store.sqlite;

import java.time.Clock;
import java.util.Optional;

/**
 * Whether the store is "full": it met its disk (a write failed for room, the reserve is not in place, or
 * retention dropped readings because of the disk rather than the configured size). Raised once as the alarm
 * {@code store.full}; cleared ({@code store.full_cleared}) when the reserve is in place, the headroom free, the
 * readings take at most half of what the disk allows, and the alarm has stood for a minute at least, so that a
 * disk at its edge does not make it flap. The state survives a restart (the outbox keeps it in its counters).
 */
final class FullAlarm {
    /** The alarm stays raised at least this long. */
    static final long MIN_RAISED_MILLIS = 60_000;

    /** A change to record: the event and the new state. */
    record Change(boolean full, String kind, String severity, String message) {
    }

    private final Clock clock;
    private boolean full;
    private long raisedAtMillis;

    FullAlarm(boolean full, Clock clock) {
        this.full = full;
        this.clock = clock;
        this.raisedAtMillis = clock.millis();
    }

    boolean full() {
        return full;
    }

    /**
     * What to record now, if anything.
     *
     * @param pressure the store met its disk since the last look
     * @param maxBytes the configured size of the readings
     * @param headroom the free space the store keeps for the agent's other files
     */
    Optional<Change> decide(SpaceKeeper.Budget b, boolean pressure, long maxBytes, long headroom) {
        boolean enter = pressure || !b.reserveHeld();
        if (!full && enter) {
            return Optional.of(new Change(true, "store.full", "alarm", "the disk of the store is full: "
                    + b.fsFree() + " of " + b.fsTotal() + " bytes free, reserve "
                    + (b.reserveHeld() ? "in place" : "released") + "; the stored readings may take " + b.limit()
                    + " bytes and the oldest unsent ones are dropped to make room"));
        }
        if (full && !enter && b.fsFree() >= headroom && clock.millis() - raisedAtMillis >= MIN_RAISED_MILLIS
                && (b.diskLimit() >= maxBytes || b.usedBytes() <= b.limit() / 2)) {
            return Optional.of(new Change(false, "store.full_cleared", "audit", "the store has room again: "
                    + b.fsFree() + " of " + b.fsTotal() + " bytes free, reserve in place; the stored readings take "
                    + b.usedBytes() + " of " + b.limit() + " bytes"));
        }
        return Optional.empty();
    }

    /** The change was recorded. */
    void changed(Change change) {
        full = change.full();
        if (full) {
            raisedAtMillis = clock.millis();
        }
    }
}
