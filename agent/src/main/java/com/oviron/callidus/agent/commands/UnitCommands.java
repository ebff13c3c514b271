package com.oviron.callidus.agent.commands;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.oviron.callidus.agent.AgentStatus;
import com.oviron.callidus.agent.logging.SwitchableConsoleWriter;
import com.oviron.callidus.cloud.command.Command;
import com.oviron.callidus.cloud.command.CommandArgs;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.command.CommandException;
import com.oviron.callidus.cloud.command.ErrorCode;
import com.oviron.callidus.hal.Channel;
import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.store.PeriodSummary;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.SpaceStatus;
import com.oviron.callidus.store.StoreStats;
import com.oviron.callidus.store.StoredEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.tinylog.Logger;

/**
 * The unit's own commands: {@code status.get}, {@code diagnostics.get}, {@code log.set-level} and
 * {@code report.get} (docs/protocol.md, "Commands"). Read-only except the log level.
 */
public final class UnitCommands {
    /** Longest period one report covers. */
    public static final Duration MAX_REPORT_SPAN = Duration.ofDays(400);
    /** Buckets per channel in one report at most (keeps the reply within one message). */
    public static final int MAX_BUCKETS = 1_000;

    private final UnitFacts facts;
    private final Clock clock;
    private final BooleanSupplier liveActive;

    public UnitCommands(UnitFacts facts, Clock clock, BooleanSupplier liveActive) {
        this.facts = facts;
        this.clock = clock;
        this.liveActive = liveActive;
    }

    public void registerOn(CommandChannel channel) {
        channel.register("status.get", this::status);
        channel.register("diagnostics.get", this::diagnostics);
        channel.register("log.set-level", this::setLogLevel);
        channel.register("report.get", this::report);
    }

    JsonElement status(Command command) throws CommandException {
        command.arguments().allowOnly();
        AgentStatus s = facts.status().get();
        JsonObject r = new JsonObject();
        r.addProperty("device", facts.deviceId());
        r.addProperty("version", facts.version());
        r.addProperty("uptimeSeconds", (clock.millis() - facts.startedAtMillis()) / 1000);
        r.addProperty("connected", s.connected());
        r.addProperty("pendingReadings", s.pending());
        r.addProperty("treatmentInProgress", s.treatmentInProgress());
        r.addProperty("liveMode", liveActive.getAsBoolean());
        r.addProperty("logLevel", SwitchableConsoleWriter.level());
        return r;
    }

    /** Every channel, alarms, counters, versions, storage and link health. */
    JsonElement diagnostics(Command command) throws CommandException {
        command.arguments().allowOnly();
        return diagnosticsSnapshot();
    }

    /** The diagnostics snapshot (also written into support bundles). */
    public JsonObject diagnosticsSnapshot() throws CommandException {
        AgentStatus s = facts.status().get();
        JsonObject r = new JsonObject();
        r.addProperty("device", facts.deviceId());
        r.addProperty("at", clock.millis());
        r.addProperty("uptimeSeconds", (clock.millis() - facts.startedAtMillis()) / 1000);

        JsonObject versions = new JsonObject();
        versions.addProperty("agent", facts.version());
        versions.addProperty("java", System.getProperty("java.version"));
        versions.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        versions.addProperty("registerMap", facts.registerMap());
        r.add("versions", versions);

        Map<String, Reading> newest = new HashMap<>();
        facts.newest().get().forEach(x -> newest.put(x.channelId(), x));
        JsonArray channels = new JsonArray();
        JsonArray alarms = new JsonArray();
        for (Channel c : facts.port().channels()) {
            JsonObject ch = new JsonObject();
            ch.addProperty("id", c.id());
            ch.addProperty("name", c.name());
            ch.addProperty("unit", c.unit());
            Reading x = newest.get(c.id());
            if (x == null) {
                ch.add("value", JsonNull.INSTANCE);
                ch.addProperty("quality", "none");
            } else {
                if (Double.isFinite(x.value())) {
                    ch.addProperty("value", x.value());
                } else {
                    ch.add("value", JsonNull.INSTANCE);
                }
                ch.addProperty("t", x.timestamp().toEpochMilli());
                ch.addProperty("quality", x.quality().name().toLowerCase(java.util.Locale.ROOT));
                if (x.quality() != Quality.GOOD) {
                    JsonObject a = new JsonObject();
                    a.addProperty("channel", c.id());
                    a.addProperty("quality", x.quality().name().toLowerCase(java.util.Locale.ROOT));
                    a.addProperty("since", x.timestamp().toEpochMilli());
                    alarms.add(a);
                }
            }
            channels.add(ch);
        }
        r.add("channels", channels);
        r.add("alarms", alarms);

        JsonObject counters = new JsonObject();
        counters.addProperty("samples", s.samples());
        counters.addProperty("halErrors", s.halErrors());
        counters.addProperty("bufferedInMemory", s.bufferedInMemory());
        counters.addProperty("droppedInMemory", s.droppedInMemory());
        JsonObject hal = new JsonObject();
        new java.util.TreeMap<>(facts.halCounters().get()).forEach(hal::addProperty);
        counters.add("hal", hal);
        CommandChannel.Stats cs = facts.commands().stats();
        JsonObject cmd = new JsonObject();
        cmd.addProperty("received", cs.received());
        cmd.addProperty("executed", cs.executed());
        cmd.addProperty("repeated", cs.repeated());
        cmd.addProperty("refused", cs.refused());
        counters.add("commands", cmd);
        r.add("counters", counters);

        JsonObject storage = new JsonObject();
        try {
            StoreStats st = facts.outbox().stats();
            storage.addProperty("lastSeq", s.lastSeq());
            storage.addProperty("acknowledgedSeq", s.acknowledgedSeq());
            storage.addProperty("pendingReadings", s.pending());
            storage.addProperty("droppedReadings", st.droppedReadings());
            storage.addProperty("bytes", st.usedBytes());
            storage.addProperty("historyRows", st.aggregateRows());
            storage.addProperty("deadLetters", facts.outbox().deadLetterCount());
            JsonArray pendingAlarms = new JsonArray();
            for (StoredEvent e : facts.outbox().pendingEvents(20)) {
                if (e.severity().equals("alarm")) {
                    JsonObject a = new JsonObject();
                    a.addProperty("kind", e.kind());
                    a.addProperty("at", e.atMillis());
                    a.addProperty("message", e.message());
                    pendingAlarms.add(a);
                }
            }
            r.add("unsentAlarmEvents", pendingAlarms);
        } catch (StoreException e) {
            storage.addProperty("error", e.getMessage());
        }
        try {
            storage.addProperty("diskFreeBytes", Files.getFileStore(facts.stateFolder()).getUsableSpace());
        } catch (IOException e) {
            storage.addProperty("diskFreeBytes", -1);
        }
        SpaceStatus space = facts.space().status();
        storage.addProperty("diskTotalBytes", space.totalBytes());
        storage.addProperty("reserveBytes", space.reserveBytes());
        storage.addProperty("reserveHeld", space.reserveHeld());
        storage.addProperty("limitBytes", space.limitBytes());
        storage.addProperty("full", space.full());
        r.add("storage", storage);

        JsonObject link = new JsonObject();
        link.addProperty("connected", s.connected());
        link.addProperty("telemetryBatchesPublished", s.batchesPublished());
        link.addProperty("telemetryBatchesAcked", s.batchesAcked());
        link.addProperty("telemetryResends", s.resends());
        r.add("link", link);
        r.addProperty("treatmentInProgress", s.treatmentInProgress());
        r.addProperty("liveMode", liveActive.getAsBoolean());
        r.addProperty("logLevel", SwitchableConsoleWriter.level());
        return r;
    }

    JsonElement setLogLevel(Command command) throws CommandException {
        String level = command.arguments().allowOnly("level").string("level");
        if (!SwitchableConsoleWriter.LEVELS.contains(level)) {
            throw CommandException.invalidArgument("level", "must be one of " + SwitchableConsoleWriter.LEVELS);
        }
        String before = SwitchableConsoleWriter.level();
        Logger.info("log level changing from={} to={} by={}", before, level, command.id());
        SwitchableConsoleWriter.setLevel(level);
        JsonObject r = new JsonObject();
        r.addProperty("level", level);
        r.addProperty("previous", before);
        return r;
    }

    /**
     * Args: {@code from}, {@code to} (epoch ms, to after from, at most {@link #MAX_REPORT_SPAN}),
     * {@code bucketMinutes} (1 to 44640), optional {@code channels}. Figures per channel and bucket from the
     * unit's own history (docs/protocol.md, "report.get").
     */
    JsonElement report(Command command) throws CommandException {
        CommandArgs args = command.arguments().allowOnly("from", "to", "bucketMinutes", "channels");
        long from = args.integer("from", 0, Long.MAX_VALUE / 2);
        long to = args.integer("to", 0, Long.MAX_VALUE / 2);
        long bucketMinutes = args.integer("bucketMinutes", 1, 31L * 24 * 60);
        List<String> wanted = args.strings("channels", 100);
        if (to <= from) {
            throw CommandException.invalidArgument("to", "must be after from");
        }
        if (to - from > MAX_REPORT_SPAN.toMillis()) {
            throw CommandException.invalidArgument("to", "a report covers at most " + MAX_REPORT_SPAN.toDays()
                    + " days");
        }
        long buckets = (to - from + bucketMinutes * 60_000 - 1) / (bucketMinutes * 60_000);
        if (buckets > MAX_BUCKETS) {
            throw CommandException.invalidArgument("bucketMinutes", "the period has " + buckets
                    + " buckets of that size; at most " + MAX_BUCKETS + " (choose larger buckets)");
        }
        Map<String, Channel> known = new LinkedHashMap<>();
        facts.port().channels().forEach(c -> known.put(c.id(), c));
        for (String c : wanted) {
            if (!known.containsKey(c)) {
                throw CommandException.invalidArgument("channels", "no channel " + c);
            }
        }
        List<PeriodSummary> rows;
        try {
            rows = facts.outbox().summarize(from, to, bucketMinutes * 60_000);
        } catch (StoreException e) {
            throw new CommandException(ErrorCode.FAILED, "the store could not be read: " + e.getMessage(), e);
        }
        JsonObject channels = new JsonObject();
        for (PeriodSummary p : rows) {
            if (!wanted.isEmpty() && !wanted.contains(p.channelId())) {
                continue;
            }
            JsonObject ch = channels.getAsJsonObject(p.channelId());
            if (ch == null) {
                ch = new JsonObject();
                Channel c = known.get(p.channelId());
                ch.addProperty("unit", c == null ? "" : c.unit());
                ch.add("buckets", new JsonArray());
                channels.add(p.channelId(), ch);
            }
            JsonArray b = new JsonArray();
            b.add(p.bucketStartMillis());
            b.add(p.count());
            b.add(round(p.min()));
            b.add(round(p.max()));
            b.add(round(p.mean()));
            ch.getAsJsonArray("buckets").add(b);
        }
        JsonObject r = new JsonObject();
        r.addProperty("from", from);
        r.addProperty("to", to);
        r.addProperty("bucketMinutes", bucketMinutes);
        r.addProperty("columns", "start,count,min,max,mean");
        r.add("channels", channels);
        return r;
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    /** Pretty JSON, for files people read. */
    static String pretty(JsonElement e) {
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(e);
    }
}
