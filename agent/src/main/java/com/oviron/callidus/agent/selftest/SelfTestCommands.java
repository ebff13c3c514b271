package com.oviron.callidus.agent.selftest;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.oviron.callidus.agent.diagnostics.Codes;
import com.oviron.callidus.agent.diagnostics.ErrorCatalog;
import com.oviron.callidus.cloud.command.Command;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.command.CommandException;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.TelemetryOutbox;
import com.oviron.callidus.store.diagnostics.DiagnosticsStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.tinylog.Logger;

/**
 * {@code selftest} runs the self-test and answers with the signed result; {@code selftest.key} gives the unit's
 * public key (docs/protocol.md). Each self-test is also recorded as a {@code selftest.done} event (severity
 * {@code audit} when passed, {@code alarm} with code E030 when not) carrying the signed result, and the last
 * one is kept on the unit.
 */
public final class SelfTestCommands {
    /** The key under which the last signed result is kept in the diagnostics store. */
    public static final String LAST = "lastSelftest";

    private final SelfTest test;
    private final SelfTest.Facts facts;
    private final UnitKey key;
    private final TelemetryOutbox events;
    private final DiagnosticsStore store;
    private final ErrorCatalog catalog;
    private final String device;
    private final String agentVersion;
    private final Clock clock;

    public SelfTestCommands(SelfTest test, SelfTest.Facts facts, UnitKey key, TelemetryOutbox events,
                            DiagnosticsStore store, ErrorCatalog catalog, String device, String agentVersion,
                            Clock clock) {
        this.test = test;
        this.facts = facts;
        this.key = key;
        this.events = events;
        this.store = store;
        this.catalog = catalog;
        this.device = device;
        this.agentVersion = agentVersion;
        this.clock = clock;
    }

    public void registerOn(CommandChannel channel) {
        channel.register("selftest", this::selftest);
        channel.register("selftest.key", command -> {
            command.arguments().allowOnly();
            return key.json();
        });
    }

    JsonElement selftest(Command command) throws CommandException {
        command.arguments().allowOnly();
        return run();
    }

    /** Runs, signs, records and keeps a self-test; returns {@code passed}, {@code result}, {@code jws}, {@code unitKey}. */
    public JsonObject run() {
        JsonObject doc = test.run(facts, device, agentVersion, catalog.version(), key.keyId());
        String jws = SelfTestJws.sign(doc, key);
        boolean passed = doc.get("passed").getAsBoolean();
        List<String> failed = new ArrayList<>();
        for (JsonElement c : doc.getAsJsonArray("checks")) {
            if (!c.getAsJsonObject().get("ok").getAsBoolean()) {
                failed.add(c.getAsJsonObject().get("code").getAsString() + " " + c.getAsJsonObject().get("name")
                        .getAsString());
            }
        }
        Logger.info("self-test done passed={} failed={} kid={}", passed, failed, key.keyId());
        JsonObject detail = new JsonObject();
        detail.addProperty("passed", passed);
        if (!passed) {
            detail.addProperty("code", Codes.SELFTEST_FAILED);
        }
        JsonArray failedCodes = new JsonArray();
        failed.forEach(failedCodes::add);
        detail.add("failed", failedCodes);
        detail.addProperty("unitKey", key.keyId());
        detail.addProperty("jws", jws);
        try {
            events.appendEvent(clock.millis(), "selftest.done", passed ? "audit" : "alarm", passed
                    ? "self-test passed (signed with unit key " + key.keyId() + ")"
                    : Codes.SELFTEST_FAILED + " " + catalog.entryOrUnknown(Codes.SELFTEST_FAILED).text("en").title()
                    + ": " + String.join(", ", failed), Optional.of(detail.toString()));
            store.putMeta(LAST, jws);
        } catch (StoreException | IllegalArgumentException e) {
            Logger.warn("self-test result not recorded error={}", e.getMessage());
        }
        JsonObject r = new JsonObject();
        r.addProperty("passed", passed);
        r.add("result", doc);
        r.addProperty("jws", jws);
        r.add("unitKey", key.json());
        return r;
    }
}
