package com.oviron.callidus.tools.demo;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.agent.selftest.SelfTestJws;
import com.oviron.callidus.agent.subscription.PinnedKeys;
import com.oviron.callidus.cloud.ChannelCatalog;
import com.oviron.callidus.cloud.EventMessage;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.CloudFilePeer;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.store.StoredEvent;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The demo's service-diagnostics steps, done by the cloud operator: a fault is injected into the simulated
 * board and the cloud receives the alarm with its code and remedy; a technician acknowledges it and the fault
 * is cleared; the operator asks for the signed self-test and checks it from the unit's public key alone; and
 * asks for a report page, which arrives as a file.
 */
final class DiagnosticsSteps {
    /** The alarm the injected compressor failure raises at once (main air pressure falling fast). */
    static final String ALARM_CODE = "A123";

    /** Calls one command of the unit; throws when it is refused. */
    @FunctionalInterface
    interface Caller {
        JsonObject call(String name, JsonObject args) throws Exception;
    }

    /** Waits for a condition, failing the step after its timeout. */
    @FunctionalInterface
    interface Waiter {
        void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException;
    }

    private final String deviceId;
    private final CloudSubscriber cloud;
    private final CloudFilePeer files;
    private final Caller caller;
    private final Waiter waiter;
    private final Consumer<Boolean> pressureDrop;
    private long alarmId;

    DiagnosticsSteps(String deviceId, CloudSubscriber cloud, CloudFilePeer files, Caller caller, Waiter waiter,
                     Consumer<Boolean> pressureDrop) {
        this.deviceId = deviceId;
        this.cloud = cloud;
        this.files = files;
        this.caller = caller;
        this.waiter = waiter;
        this.pressureDrop = pressureDrop;
    }

    private Optional<StoredEvent> event(String kind, String code) {
        for (CloudSubscriber.Received m : cloud.receivedOn(new Topics(deviceId).events())) {
            try {
                StoredEvent e = EventMessage.decode(m.payload());
                if (e.kind().equals(kind) && e.detail().isPresent() && JsonParser.parseString(e.detail().get())
                        .getAsJsonObject().get("code").getAsString().equals(code)) {
                    return Optional.of(e);
                }
            } catch (Exception malformed) {
                // not ours to judge here
            }
        }
        return Optional.empty();
    }

    String alarm() throws Exception {
        pressureDrop.accept(true);
        waiter.await(() -> event("alarm.raised", ALARM_CODE).isPresent(), "the alarm " + ALARM_CODE);
        StoredEvent e = event("alarm.raised", ALARM_CODE).orElseThrow();
        JsonObject d = JsonParser.parseString(e.detail().orElseThrow()).getAsJsonObject();
        alarmId = d.get("id").getAsLong();
        return String.format(Locale.ROOT, "the operator made the compressor fail: alarm %s \"%s\" arrived on the events"
                        + " topic (main air changed by %.2f bar within 1 s); remedy: %s; in Bulgarian: %s", d.get("code")
                        .getAsString(), d.get("title").getAsString(), d.get("value").getAsDouble(), d.get("remedy")
                        .getAsString(), d.getAsJsonObject("text").getAsJsonObject("bg").get("title").getAsString());
    }

    String acknowledge() throws Exception {
        JsonObject args = new JsonObject();
        args.addProperty("id", alarmId);
        args.addProperty("by", "technician");
        JsonObject r = caller.call("alarms.ack", args);
        pressureDrop.accept(false);
        waiter.await(() -> event("alarm.acknowledged", ALARM_CODE).isPresent()
                && event("alarm.cleared", ALARM_CODE).isPresent(), "the alarm acknowledged and cleared");
        return "the technician acknowledged alarm " + alarmId + " (" + r.getAsJsonArray("acknowledged").size()
                + " acknowledged) and the compressor was repaired: the alarm cleared and closed";
    }

    String selftest() throws Exception {
        // the cloud knows the unit's public key from its channel catalog, nothing else
        byte[] catalog = cloud.last(new Topics(deviceId).channels());
        if (catalog == null) {
            throw new IllegalStateException("no channel catalog yet");
        }
        ChannelCatalog.UnitKey key = ChannelCatalog.decode(catalog).unitKey().orElseThrow(
                () -> new IllegalStateException("the catalog has no unit key"));
        JsonObject r = caller.call("selftest", new JsonObject());
        JsonObject verified = SelfTestJws.verify(r.get("jws").getAsString(), PinnedKeys.parsePublicKey(key.publicKey()));
        long failed = verified.getAsJsonArray("checks").asList().stream()
                .filter(c -> !c.getAsJsonObject().get("ok").getAsBoolean()).count();
        return "self-test " + (verified.get("passed").getAsBoolean() ? "passed" : "failed (" + failed + " checks)")
                + ": " + verified.getAsJsonArray("checks").size() + " checks, signed by unit key " + key.kid()
                + " and verified by the cloud from the public key in the channel catalog";
    }

    String reportPage() throws Exception {
        long now = System.currentTimeMillis();
        JsonObject args = new JsonObject();
        args.addProperty("from", now - 3_600_000);
        args.addProperty("to", now + 60_000);
        args.addProperty("format", "html");
        JsonObject r = caller.call("report.get", args);
        String name = r.get("name").getAsString();
        waiter.await(() -> files.uploads().values().stream().anyMatch(u -> u.kind().equals("report")
                && u.name().equals(name) && u.confirmed()), "the report page upload");
        CloudFilePeer.Upload up = files.uploads().values().stream().filter(u -> u.name().equals(name)).findFirst()
                .orElseThrow();
        String html = Files.readString(up.file());
        int charts = html.split("class=\"chart\"", -1).length - 1;
        if (charts == 0 || !html.contains(ALARM_CODE)) {
            throw new IllegalStateException("the report page lacks charts or the alarm");
        }
        return String.format(Locale.ROOT, "report.get (format html, last hour): %s (%d KB, %d SVG charts, the alarm"
                + " on its timeline) arrived as a file of kind report, SHA-256 checked", name, html.length() / 1024,
                charts);
    }

    static Duration stepTimeout() {
        return Duration.ofSeconds(20);
    }
}
