package com.oviron.callidus.agent.selftest;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.oviron.callidus.agent.diagnostics.ChannelInfo;
import com.oviron.callidus.agent.diagnostics.Codes;
import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.store.diagnostics.AlarmRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The unit's self-test: board communication, every channel within its valid range, the GPIO inputs, storage
 * health (integrity checks, free space), clock sanity, the broker and open alarms. Each check has its
 * error-catalog code (E101 to E108); the result is a small JSON document that {@link SelfTestJws} signs.
 */
public final class SelfTest {
    /** The board counts as answering when a fresh reading came at most this long ago. */
    static final Duration BOARD_RECENT = Duration.ofSeconds(5);
    /** No clock before this is sane (the agent did not exist before it). */
    static final Instant EARLIEST_SANE = Instant.parse("2025-01-01T00:00:00Z");

    /** What the checks look at; the agent fills it in from its parts. */
    public interface Facts {
        /** When the last fresh reading came from the board, if ever. */
        Optional<Instant> lastHeard();

        /** The newest reading of each channel. */
        List<Reading> newest();

        /** The GPIO inputs' states, empty when none are configured; a failed read throws. */
        GpioCheck gpio();

        /** "ok" from each database's quick check, or what is wrong, by database name. */
        Map<String, String> storageChecks();

        /** Free bytes where the store lives. */
        long freeBytes();

        /** Empty when the clock is sane, otherwise why not (beyond the earliest-date check). */
        Optional<String> clockProblem();

        boolean brokerConnected();

        /** The open alarms. */
        List<AlarmRecord> openAlarms();
    }

    /** The GPIO inputs: not configured, unavailable (why), or their states. */
    public record GpioCheck(boolean configured, Optional<String> problem, Map<String, Boolean> inputs) {
    }

    private final List<ChannelInfo> channels;
    private final long minFreeBytes;
    private final Clock clock;

    public SelfTest(List<ChannelInfo> channels, long minFreeBytes, Clock clock) {
        this.channels = List.copyOf(channels);
        this.minFreeBytes = minFreeBytes;
        this.clock = clock;
    }

    /**
     * Runs every check.
     *
     * @return the result document (not yet signed)
     */
    public JsonObject run(Facts f, String device, String agentVersion, String catalogVersion, String keyId) {
        Instant now = clock.instant();
        JsonArray checks = new JsonArray();
        boolean passed = true;

        Optional<Instant> heard = f.lastHeard();
        boolean boardOk = heard.isPresent() && Duration.between(heard.get(), now).compareTo(BOARD_RECENT) <= 0;
        passed &= add(checks, "board", Codes.CHECK_BOARD, boardOk, heard.map(h -> "last valid answer "
                + Duration.between(h, now).toMillis() + " ms ago").orElse("no valid answer from the board since start"));

        Map<String, Reading> newest = new HashMap<>();
        f.newest().forEach(r -> newest.put(r.channelId(), r));
        List<String> bad = new ArrayList<>();
        for (ChannelInfo c : channels) {
            Reading r = newest.get(c.id());
            if (r == null) {
                bad.add(c.id() + " no reading");
            } else if (r.quality() != Quality.GOOD || !c.inRange(r.value())) {
                bad.add(c.id() + " " + (Double.isFinite(r.value()) ? r.value() + " " + c.unit() : "no value") + " ("
                        + r.quality().name().toLowerCase(java.util.Locale.ROOT) + ", valid " + c.validMin() + ".."
                        + c.validMax() + ")");
            }
        }
        passed &= add(checks, "channels", Codes.CHECK_CHANNELS, bad.isEmpty(), bad.isEmpty()
                ? channels.size() + " channels within their valid range" : String.join("; ", bad));

        GpioCheck g;
        try {
            g = f.gpio();
        } catch (RuntimeException e) {
            g = new GpioCheck(true, Optional.of(e.getMessage()), Map.of());
        }
        passed &= add(checks, "gpio", Codes.CHECK_GPIO, g.problem().isEmpty(), !g.configured() ? "no GPIO configured"
                : g.problem().map(p -> "unavailable: " + p).orElse(g.inputs().size() + " inputs read: " + g.inputs()));

        List<String> damaged = new ArrayList<>();
        f.storageChecks().forEach((db, result) -> {
            if (!"ok".equals(result)) {
                damaged.add(db + ": " + result);
            }
        });
        passed &= add(checks, "storage", Codes.CHECK_STORAGE, damaged.isEmpty(), damaged.isEmpty()
                ? "integrity checks ok: " + String.join(", ", f.storageChecks().keySet()) : String.join("; ", damaged));

        long free = f.freeBytes();
        passed &= add(checks, "disk", Codes.CHECK_DISK, free >= minFreeBytes, (free >> 20) + " MB free (at least "
                + (minFreeBytes >> 20) + " MB needed)");

        Optional<String> clockProblem = now.isBefore(EARLIEST_SANE)
                ? Optional.of("the clock says " + now + ", before " + EARLIEST_SANE) : f.clockProblem();
        passed &= add(checks, "clock", Codes.CHECK_CLOCK, clockProblem.isEmpty(),
                clockProblem.orElse("clock sane: " + now));

        boolean connected = f.brokerConnected();
        passed &= add(checks, "broker", Codes.CHECK_BROKER, connected, connected ? "connected" : "not connected");

        List<AlarmRecord> active = f.openAlarms().stream().filter(AlarmRecord::active).toList();
        passed &= add(checks, "alarms", Codes.CHECK_ALARMS, active.isEmpty(), active.isEmpty() ? "no active alarm"
                : active.size() + " active: " + String.join(", ", active.stream().map(a -> a.code() + " "
                        + a.rule()).toList()));

        JsonObject doc = new JsonObject();
        doc.addProperty("v", 1);
        doc.addProperty("kind", "callidus.selftest");
        doc.addProperty("device", device);
        doc.addProperty("at", now.toEpochMilli());
        doc.addProperty("agentVersion", agentVersion);
        doc.addProperty("catalogVersion", catalogVersion);
        doc.addProperty("unitKey", keyId);
        doc.addProperty("passed", passed);
        doc.add("checks", checks);
        JsonArray alarms = new JsonArray();
        for (AlarmRecord a : active) {
            JsonObject o = new JsonObject();
            o.addProperty("code", a.code());
            o.addProperty("rule", a.rule());
            o.addProperty("since", a.lastAt());
            alarms.add(o);
        }
        doc.add("activeAlarms", alarms);
        return doc;
    }

    private static boolean add(JsonArray checks, String name, String code, boolean ok, String detail) {
        JsonObject o = new JsonObject();
        o.addProperty("name", name);
        o.addProperty("code", code);
        o.addProperty("ok", ok);
        o.addProperty("detail", detail.length() > 500 ? detail.substring(0, 500) + "..." : detail);
        checks.add(o);
        return ok;
    }
}
