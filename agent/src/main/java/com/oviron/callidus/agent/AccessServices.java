package com.oviron.callidus.agent;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.oviron.callidus.agent.access.Access;
import com.oviron.callidus.agent.access.Auditor;
import com.oviron.callidus.agent.access.CommandPermissions;
import com.oviron.callidus.agent.access.Origin;
import com.oviron.callidus.agent.access.RecordSigner;
import com.oviron.callidus.agent.access.SelfTestResults;
import com.oviron.callidus.agent.access.ServiceRecords;
import com.oviron.callidus.agent.access.SignedServiceRecords;
import java.nio.file.Path;
import com.oviron.callidus.agent.commands.UnitCommands;
import com.oviron.callidus.agent.console.ConsoleAccess;
import com.oviron.callidus.agent.console.RemoteConsoles;
import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.console.RemoteConsoleLink;
import com.oviron.callidus.agent.subscription.SubscriptionService;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.command.CommandException;
import com.oviron.callidus.hal.GpioPort;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.TelemetryOutbox;
import com.oviron.callidus.store.audit.AuditLog;
import com.oviron.callidus.store.audit.SqliteAuditLog;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The wiring of issue 14 (technician access): the audit trail, always (the unit's {@code audit.db} and audit
 * events in the outbox; every cloud command that changes something is recorded); with an {@code access}
 * section also logins, the clinic PIN and consent ({@link Access}), and the consent button.
 */
final class AccessServices implements AutoCloseable {
    private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneOffset.UTC);

    private final AuditLog log;
    private final Auditor auditor;
    private final Optional<Access> access;
    private final ConsoleAccess consoleAccess;
    private Optional<RemoteConsoles> remote = Optional.empty();

    private AccessServices(AuditLog log, Auditor auditor, Optional<Access> access, ConsoleAccess consoleAccess) {
        this.log = log;
        this.auditor = auditor;
        this.access = access;
        this.consoleAccess = consoleAccess;
    }

    /**
     * Opens the audit log, audits the cloud's commands, and builds the access model when configured, with the
     * remote console ({@code console.open}) on {@code link}, the connection as the cloud services see it.
     */
    static AccessServices build(AgentConfig config, TelemetryOutbox outbox, CommandChannel commands,
                                MqttConnection link, UnitCommands unit, Optional<SubscriptionService> subscription,
                                Supplier<Optional<SignedServiceRecords.Upload>> upload,
                                com.oviron.callidus.agent.diagnostics.Diagnostics diagnostics, Clock clock)
            throws StoreException {
        AuditLog log = SqliteAuditLog.open(Agent.stateFolder(config).resolve("audit.db"), AuditLog.DEFAULT_MAX_ENTRIES,
                clock);
        Auditor auditor = new Auditor(log, (at, kind, message) -> outbox.appendEvent(at, kind, "audit", message),
                clock);
        commands.setObserver((command, reply) -> {
            if (CommandPermissions.audited(command.name())) {
                auditor.command("cloud", "-", Origin.of(Origin.CLOUD), command.name(), command.args(), reply);
            }
        });
        Supplier<Instant> tokenTime = () -> subscription.map(s -> s.status().clock().trustedNow())
                .orElseGet(clock::instant);
        Optional<Access> access = config.access().map(a -> Access.open(a, config.device().id(), auditor, tokenTime,
                clock));
        Optional<ServiceRecords> records = access.flatMap(a -> serviceRecords(config, auditor, unit, upload, diagnostics, clock));
        ConsoleAccess consoleAccess = new ConsoleAccess(config.device().id(), auditor, access, () -> records,
                () -> alarms(unit));
        AccessServices services = new AccessServices(log, auditor, access, consoleAccess);
        if (access.isPresent()) {
            RemoteConsoleLink remoteLink = new RemoteConsoleLink(link, new Topics(config.device().id()), clock);
            RemoteConsoles remote = new RemoteConsoles(remoteLink, commands, consoleAccess, clock);
            remote.registerOn(commands);
            remoteLink.start();
            services.remote = Optional.of(remote);
        }
        return services;
    }

    /**
     * The service record, signed with the unit's own key ({@code unit-key.pem}, made on the first start); none
     * (logged) when the key cannot be read or made.
     */
    private static Optional<ServiceRecords> serviceRecords(AgentConfig config, Auditor auditor, UnitCommands unit,
                                                           Supplier<Optional<SignedServiceRecords.Upload>> upload,
                                                           com.oviron.callidus.agent.diagnostics.Diagnostics diagnostics,
                                                           Clock clock) {
        Path state = Agent.stateFolder(config);
        try {
            // the unit key the diagnostics opened (unit-key.pem): one key signs self-tests and service records
            RecordSigner key = RecordSigner.of(diagnostics.unitKey());
            return Optional.of(new SignedServiceRecords(config.device().id(), AgentVersion.current(), auditor, key,
                    selfTests(diagnostics), () -> alarms(unit), state.resolve(CloudServices.SERVICE_RECORDS), upload,
                    clock));
        } catch (RuntimeException e) {
            org.tinylog.Logger.error("service records off error={}",
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** The newest self-test the diagnostics recorded, for the service record of a visit during which it ran. */
    private static SelfTestResults selfTests(com.oviron.callidus.agent.diagnostics.Diagnostics diagnostics) {
        return since -> diagnostics.lastSelfTest().flatMap(last -> {
            JsonObject doc = last.getKey();
            Instant at = Instant.ofEpochMilli(doc.get("at").getAsLong());
            if (at.isBefore(since)) {
                return Optional.empty();
            }
            boolean passed = doc.get("passed").getAsBoolean();
            List<String> failed = new ArrayList<>();
            for (JsonElement c : doc.getAsJsonArray("checks")) {
                JsonObject check = c.getAsJsonObject();
                if (!check.get("ok").getAsBoolean()) {
                    failed.add(text(check, "code") + " " + text(check, "name"));
                }
            }
            String summary = passed ? "self-test passed" : "self-test FAILED: " + String.join(", ", failed);
            return Optional.of(new SelfTestResults.Result(at, passed, summary, Optional.of(last.getValue())));
        });
    }

    Optional<Access> access() {
        return access;
    }

    Auditor auditor() {
        return auditor;
    }

    /** What a console needs; the alarms come from the unit's diagnostics. */
    ConsoleAccess consoleAccess() {
        return consoleAccess;
    }

    /** The alarms active now, one line each: {@code water_pressure out_of_range since 2026-12-11 08:00 UTC}. */
    static List<String> alarms(UnitCommands unit) {
        List<String> lines = new ArrayList<>();
        try {
            JsonObject d = unit.diagnosticsSnapshot();
            JsonElement alarms = d.get("alarms");
            if (alarms != null && alarms.isJsonArray()) {
                for (JsonElement a : alarms.getAsJsonArray()) {
                    JsonObject o = a.getAsJsonObject();
                    String since = o.has("since") && o.get("since").isJsonPrimitive()
                            ? " since " + MINUTES.format(Instant.ofEpochMilli(o.get("since").getAsLong())) + " UTC" : "";
                    lines.add(text(o, "channel") + " " + text(o, "quality") + since);
                }
            }
        } catch (CommandException | RuntimeException e) {
            lines.add("(the alarms could not be read: " + e.getMessage() + ")");
        }
        return lines;
    }

    private static String text(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e == null || e.isJsonNull() ? "-" : e.getAsString();
    }

    /**
     * Tells the person at the unit's console what happens to remote support: consent granted, taken back or
     * run out, a remote console opened or ended.
     */
    void tell(com.oviron.callidus.agent.console.FieldConsole console) {
        access.ifPresent(a -> a.consent().addListener(e -> console.notice(switch (e.change()) {
            case GRANTED -> "[consent] remote support allowed until " + MINUTES.format(e.grant().until())
                    + " UTC (by " + e.by() + ")";
            case REVOKED -> "[consent] remote support taken back (by " + e.by() + ")";
            case ENDED -> "[consent] remote support ended: its time ran out";
        })));
        remote.ifPresent(r -> r.onNotice(console::notice));
    }

    /** Starts watching the consent button, when there is one. */
    void watchButton(Optional<GpioPort> gpio) {
        if (access.isPresent() && access.get().settings().consentButton().isPresent()) {
            if (gpio.isEmpty()) {
                org.tinylog.Logger.warn("access.consentButton is set but GPIO is not available: no consent button");
                return;
            }
            access.get().watchButton(gpio.get());
        }
    }

    /** Ends a remote console (the cloud is told {@code unit_stopping}); before the link closes. */
    void closeRemote() {
        remote.ifPresent(RemoteConsoles::close);
    }

    @Override
    public void close() {
        closeRemote();
        access.ifPresent(Access::close);
        log.close();
    }
}
