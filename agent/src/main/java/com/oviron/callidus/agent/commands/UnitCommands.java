package com.oviron.callidus.agent.commands;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.oviron.callidus.agent.AgentStatus;
import com.oviron.callidus.agent.logging.SwitchableConsoleWriter;
import com.oviron.callidus.cloud.command.Command;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.command.CommandException;
import com.oviron.callidus.cloud.command.ErrorCode;
import com.oviron.callidus.hal.Channel;
import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.SpaceStatus;
import com.oviron.callidus.store.StoreStats;
import com.oviron.callidus.store.StoredEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.tinylog.Logger;

/**
 * The unit's own commands: {@code status.get}, {@code diagnostics.get} and {@code log.set-level}
 * (docs/protocol.md, "Commands"). Read-only except the log level. ({@code report.get} is the report package's.)
 */
public final class UnitCommands {

    private final UnitFacts facts;
    private final Clock clock;
    private final BooleanSupplier liveActive;
    private final Map<String, java.util.function.Supplier<JsonElement>> sections = new java.util.concurrent.ConcurrentSkipListMap<>();

    public UnitCommands(UnitFacts facts, Clock clock, BooleanSupplier liveActive) {
        this.facts = facts;
        this.clock = clock;
        this.liveActive = liveActive;
    }

    public void registerOn(CommandChannel channel) {
        channel.register("status.get", this::status);
        channel.register("diagnostics.get", this::diagnostics);
        channel.register("log.set-level", this::setLogLevel);
    }

    /** Adds a member to the diagnostics snapshot (a feature's own figures, e.g. open alarms, usage counters). */
    public void addSection(String name, java.util.function.Supplier<JsonElement> section) {
        sections.put(name, section);
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
                    eventCode(e).ifPresent(code -> a.addProperty("code", code));
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
        com.oviron.callidus.cloud.LinkStats ls = facts.link().get();
        link.addProperty("oversizedDropped", ls.oversizedDropped());
        link.addProperty("silentBrokerCloses", ls.silentBrokerCloses());
        link.addProperty("connectsAbandoned", ls.connectsAbandoned());
        link.addProperty("repliesDropped", ls.repliesDropped());
        link.addProperty("liveDropped", ls.liveDropped());
        link.addProperty("connectAttempts", ls.connectAttempts());
        r.add("link", link);
        r.addProperty("treatmentInProgress", s.treatmentInProgress());
        r.addProperty("liveMode", liveActive.getAsBoolean());
        r.addProperty("logLevel", SwitchableConsoleWriter.level());
        sections.forEach((name, section) -> {
            try {
                r.add(name, section.get());
            } catch (RuntimeException e) {
                r.addProperty(name + "Error", String.valueOf(e.getMessage()));
            }
        });
        return r;
    }

    /** An alarm event's error-catalog code: from its detail, or the catalog entry of its kind. */
    private static java.util.Optional<String> eventCode(StoredEvent e) {
        try {
            if (e.detail().isPresent()) {
                JsonObject d = com.google.gson.JsonParser.parseString(e.detail().get()).getAsJsonObject();
                if (d.has("code")) {
                    return java.util.Optional.of(d.get("code").getAsString());
                }
            }
        } catch (RuntimeException malformed) {
            // fall back to the kind
        }
        return com.oviron.callidus.agent.diagnostics.ErrorCatalog.shipped().forEventKind(e.kind())
                .map(com.oviron.callidus.agent.diagnostics.ErrorCatalog.Entry::code);
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

    /** Pretty JSON, for files people read. */
    static String pretty(JsonElement e) {
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(e);
    }
}
