package com.oviron.callidus.agent.alarms;

import com.google.gson.JsonObject;
import com.oviron.callidus.agent.diagnostics.ChannelInfo;
import com.oviron.callidus.agent.diagnostics.ErrorCatalog;
import com.oviron.callidus.agent.diagnostics.RateLimitedLog;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.TelemetryOutbox;
import com.oviron.callidus.store.diagnostics.AlarmRecord;
import com.oviron.callidus.store.diagnostics.DiagnosticsStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.tinylog.Logger;

/**
 * The alarms' lifecycle: raised, cleared, acknowledged (by the console or a cloud command), closed when both
 * cleared and acknowledged. Each change is stored in {@link DiagnosticsStore} (so an open alarm survives
 * restarts and updates) and recorded as an event in the outbox ({@code alarm.raised} with severity
 * {@code alarm}, {@code alarm.cleared} and {@code alarm.acknowledged} with severity {@code audit}): events go
 * to the cloud before any telemetry and are never dropped by retention.
 *
 * <p>Used on one thread (the agent's {@code diagnostics} thread); {@link #open()} may be read from any.
 */
public final class AlarmBook implements AlarmEngine.Listener {
    private final DiagnosticsStore store;
    private final TelemetryOutbox events;
    private final ErrorCatalog catalog;
    private final Map<String, ChannelInfo> channels = new LinkedHashMap<>();
    private final Clock clock;
    private final RateLimitedLog failures;
    /** Open alarms by rule id: the truth while the store cannot be written. */
    private final Map<String, AlarmRecord> open = new LinkedHashMap<>();

    public AlarmBook(DiagnosticsStore store, TelemetryOutbox events, ErrorCatalog catalog, List<ChannelInfo> channels,
                     Clock clock) {
        this.store = store;
        this.events = events;
        this.catalog = catalog;
        channels.forEach(c -> this.channels.put(c.id(), c));
        this.clock = clock;
        this.failures = new RateLimitedLog(clock, java.time.Duration.ofMinutes(10));
    }

    /**
     * Reads the open alarms back after a start. An alarm of a rule that is no longer configured is cleared now.
     *
     * @return the rule ids whose alarm is active (they start active in the engine)
     */
    public synchronized Set<String> restore(Set<String> ruleIds) {
        Set<String> active = new TreeSet<>();
        List<AlarmRecord> stored;
        try {
            stored = store.openAlarms();
        } catch (StoreException e) {
            Logger.error("open alarms not read back error={}", e.getMessage());
            return active;
        }
        for (AlarmRecord a : stored) {
            open.put(a.rule(), a);
            if (a.active() && ruleIds.contains(a.rule())) {
                active.add(a.rule());
            } else if (a.active()) {
                Logger.info("alarm of a rule no longer configured is cleared alarm={} rule={}", a.id(), a.rule());
                change(a, clear(a, clock.millis()), "alarm.cleared", "audit", "cleared: its rule is no longer configured");
            }
        }
        if (!open.isEmpty()) {
            Logger.info("open alarms read back count={} active={}", open.size(), active);
        }
        return active;
    }

    @Override
    public synchronized void raised(AlarmRule rule, Instant at, double value, double limit) {
        long t = at.toEpochMilli();
        AlarmRecord before = open.get(rule.id());
        AlarmRecord after;
        if (before == null) {
            after = new AlarmRecord(0, rule.id(), rule.code(), rule.subject().equals("board") ? "" : rule.subject(),
                    true, false, t, t, OptionalLong.empty(), 1, value, limit, value, OptionalLong.empty(), "",
                    OptionalLong.empty());
            try {
                after = store.insertAlarm(after);
            } catch (StoreException e) {
                failures.warn("alarm not stored", "rule=" + rule.id() + " error=" + e.getMessage());
            }
        } else {
            after = new AlarmRecord(before.id(), before.rule(), rule.code(), before.channel(), true,
                    before.acknowledged(), before.firstAt(), t, before.clearedAt(), before.count() + 1, value, limit,
                    value, before.ackAt(), before.ackBy(), OptionalLong.empty());
            save(after);
        }
        open.put(rule.id(), after);
        Logger.warn("alarm raised id={} code={} rule={} value={} limit={} count={}", after.id(), after.code(),
                after.rule(), num(value), num(limit), after.count());
        record(after, "alarm.raised", "alarm", "raised: " + describe(rule, after));
    }

    @Override
    public synchronized void cleared(AlarmRule rule, Instant at) {
        AlarmRecord before = open.get(rule.id());
        if (before == null || !before.active()) {
            return;
        }
        change(before, clear(before, at.toEpochMilli()), "alarm.cleared", "audit", "cleared");
    }

    @Override
    public synchronized void worse(AlarmRule rule, double value) {
        AlarmRecord a = open.get(rule.id());
        if (a == null || !Double.isFinite(value)) {
            return;
        }
        double limit = a.limit();
        if (Double.isNaN(a.worst()) || Math.abs(value - limit) > Math.abs(a.worst() - limit)) {
            // kept in memory; stored with the next change of the alarm
            open.put(rule.id(), new AlarmRecord(a.id(), a.rule(), a.code(), a.channel(), a.active(), a.acknowledged(),
                    a.firstAt(), a.lastAt(), a.clearedAt(), a.count(), a.value(), a.limit(), value, a.ackAt(),
                    a.ackBy(), a.closedAt()));
        }
    }

    /**
     * Acknowledges one open alarm, or all of them.
     *
     * @param id  the alarm's number; empty: every open alarm not yet acknowledged
     * @param by  who ({@code console}, {@code cloud} or a name given with the command)
     * @return the alarms acknowledged now (empty when there was nothing to acknowledge)
     * @throws IllegalArgumentException when {@code id} is not an open alarm
     */
    public synchronized List<AlarmRecord> acknowledge(Optional<Long> id, String by) {
        long now = clock.millis();
        List<AlarmRecord> targets = new ArrayList<>();
        if (id.isPresent()) {
            AlarmRecord a = open.values().stream().filter(x -> x.id() == id.get()).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no open alarm " + id.get()));
            if (!a.acknowledged()) {
                targets.add(a);
            }
        } else {
            open.values().stream().filter(a -> !a.acknowledged()).forEach(targets::add);
        }
        List<AlarmRecord> done = new ArrayList<>();
        for (AlarmRecord a : targets) {
            AlarmRecord acked = new AlarmRecord(a.id(), a.rule(), a.code(), a.channel(), a.active(), true, a.firstAt(),
                    a.lastAt(), a.clearedAt(), a.count(), a.value(), a.limit(), a.worst(), OptionalLong.of(now), by,
                    a.active() ? OptionalLong.empty() : OptionalLong.of(now));
            change(a, acked, "alarm.acknowledged", "audit", "acknowledged by " + by);
            done.add(acked);
        }
        return done;
    }

    /** The open alarms, oldest first. */
    public synchronized List<AlarmRecord> open() {
        return List.copyOf(open.values());
    }

    private static AlarmRecord clear(AlarmRecord a, long at) {
        return new AlarmRecord(a.id(), a.rule(), a.code(), a.channel(), false, a.acknowledged(), a.firstAt(),
                a.lastAt(), OptionalLong.of(at), a.count(), a.value(), a.limit(), a.worst(), a.ackAt(), a.ackBy(),
                a.acknowledged() ? OptionalLong.of(at) : OptionalLong.empty());
    }

    private void change(AlarmRecord before, AlarmRecord after, String kind, String severity, String what) {
        save(after);
        if (after.open()) {
            open.put(after.rule(), after);
        } else {
            open.remove(after.rule());
        }
        Logger.info("alarm {} id={} code={} rule={}", kind.substring("alarm.".length()), after.id(), after.code(),
                after.rule());
        record(after, kind, severity, what);
    }

    private void save(AlarmRecord a) {
        if (a.id() == 0) {
            return; // never stored (the store failed at its raise): it lives in memory only
        }
        try {
            store.updateAlarm(a);
        } catch (StoreException e) {
            failures.warn("alarm not stored", "id=" + a.id() + " error=" + e.getMessage());
        }
    }

    private void record(AlarmRecord a, String kind, String severity, String what) {
        ErrorCatalog.Entry entry = catalog.entryOrUnknown(a.code());
        String message = a.code() + " " + entry.text("en").title() + (a.channel().isEmpty() ? "" : " (" + a.channel()
                + ")") + ": " + what + ". Remedy: " + entry.text("en").remedy();
        JsonObject detail = AlarmJson.of(a, channels.get(a.channel()), entry, null);
        detail.add("text", entry.toJson());
        try {
            events.appendEvent(clock.millis(), kind, severity, message, Optional.of(detail.toString()));
        } catch (StoreException | IllegalArgumentException e) {
            failures.warn("alarm event not stored", "kind=" + kind + " alarm=" + a.id() + " error=" + e.getMessage());
        }
    }

    private String describe(AlarmRule rule, AlarmRecord a) {
        ChannelInfo c = channels.get(a.channel());
        String unit = c == null ? "" : " " + c.unit();
        if (rule instanceof AlarmRule.Threshold t) {
            return String.format(Locale.ROOT, "%s %s%s, %s %s%s for %s", a.channel(), num(a.value()), unit,
                    t.side() == AlarmRule.Side.ABOVE ? "above" : "below", num(t.limit()), unit,
                    seconds(t.minDuration()));
        }
        if (rule instanceof AlarmRule.Rate r) {
            return String.format(Locale.ROOT, "%s changed by %s%s within %s (at most %s)", a.channel(), num(a.value()),
                    unit, seconds(r.within()), num(r.maxChange()));
        }
        if (rule instanceof AlarmRule.Stuck s) {
            return String.format(Locale.ROOT, "%s has stayed at %s%s for %s%s", a.channel(), num(a.value()), unit,
                    seconds(s.period()), s.onlyDuringTreatment() ? " of treatment" : "");
        }
        if (rule instanceof AlarmRule.OutOfRange o) {
            return String.format(Locale.ROOT, "%s %s%s, valid %s..%s%s", a.channel(), num(a.value()), unit,
                    num(o.validMin()), num(o.validMax()), unit);
        }
        if (rule instanceof AlarmRule.BoardSilent b) {
            return "no valid answer from the main board for " + seconds(b.period());
        }
        AlarmRule.GpioInput g = (AlarmRule.GpioInput) rule;
        return "input " + g.subject() + " " + (g.whenActive() ? "active" : "inactive") + " for "
                + seconds(g.minDuration());
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }

    private static String seconds(java.time.Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms / 1000.0 + " s";
    }
}
