package com.oviron.callidus.agent.console;

import com.oviron.callidus.agent.access.Access;
import com.oviron.callidus.agent.access.AccessSettings;
import com.oviron.callidus.agent.access.AccessTokens;
import com.oviron.callidus.agent.access.Auditor;
import com.oviron.callidus.agent.access.PinHash;
import com.oviron.callidus.agent.access.Role;
import com.oviron.callidus.agent.access.TechnicianToken;
import com.oviron.callidus.agent.subscription.PinnedKeys;
import com.oviron.callidus.agent.subscription.SubscriptionCommands;
import com.oviron.callidus.agent.subscription.SubscriptionService;
import com.oviron.callidus.agent.subscription.SubscriptionSettings;
import com.oviron.callidus.agent.subscription.SubscriptionToken;
import com.oviron.callidus.agent.subscription.TimeStatement;
import com.oviron.callidus.agent.subscription.TimeStatementSigner;
import com.oviron.callidus.agent.subscription.TokenSigner;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.fake.FakeMqttConnection;
import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.store.fake.InMemoryAuditLog;
import com.oviron.callidus.store.fake.InMemoryCommandJournal;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real command channel (fake MQTT connection, in-memory journal, a "commands" thread) with the real
 * subscription commands, and the vendor's signing key to make tokens for it; the access model with Oviron's
 * technician key, an in-memory audit log and the audit events it sends.
 */
final class ConsoleFixture implements AutoCloseable {
    static final String SERIAL = "CAL-000123";
    static final Instant NOW = Instant.parse("2026-12-11T08:00:00Z");

    final ManualClock clock = new ManualClock(NOW);
    final ExecutorService commandsThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "commands"));
    final CommandChannel channel = new CommandChannel(new FakeMqttConnection(), new Topics(SERIAL),
            new InMemoryCommandJournal(), commandsThread, clock);
    final KeyPair vendor = newKeyPair();
    final KeyPair service = newKeyPair();
    final SubscriptionService subscription;
    final InMemoryAuditLog auditLog = new InMemoryAuditLog();
    /** The audit events sent: kind and message. */
    final List<String> events = new CopyOnWriteArrayList<>();
    final Auditor auditor = new Auditor(auditLog, (at, kind, message) -> events.add(kind + " " + message), clock);
    final AccessSettings accessSettings;
    final Access access;

    ConsoleFixture(Path dir) {
        subscription = SubscriptionService.open(SubscriptionSettings.defaults(
                PinnedKeys.of(Map.of("k2026", vendor.getPublic())), dir), SERIAL, clock);
        SubscriptionCommands.registerOn(channel, subscription);
        AccessSettings d = AccessSettings.defaults(PinnedKeys.of(Map.of("t1", service.getPublic())), dir);
        accessSettings = new AccessSettings(d.issuer(), d.keys(), d.stateFile(), d.idleTimeout(), d.lockout(),
                PinHash.MIN_ITERATIONS, d.consentDefault(), d.consentMax(), d.consentButton(), d.consentHold(),
                d.remoteMaxTime(), d.remoteIdle());
        access = Access.open(accessSettings, SERIAL, auditor, clock::instant, clock);
    }

    /** What a console of this fixture gets: logins, no service record, one alarm. */
    ConsoleAccess consoleAccess() {
        return new ConsoleAccess(SERIAL, auditor, Optional.of(access), Optional::empty,
                () -> List.of("water_temp comm_error since 2026-12-11 07:00 UTC"));
    }

    /** A technician token for this unit, valid from an hour ago for {@code hours}. */
    String technician(String id, Role role, long hours) {
        return AccessTokens.sign(new TechnicianToken("oviron-service", id, Optional.of("Maria Ivanova"), role, SERIAL,
                NOW.minusSeconds(3600), NOW.plusSeconds(hours * 3600), "jti-" + id + "-" + hours), "t1",
                service.getPrivate());
    }

    /** A token for this unit: bought 2025-01-10, so the free year ends 2026-01-10... paid until {@code paidUntil}. */
    String token(long serial, LocalDate paidUntil) {
        SubscriptionToken claims = new SubscriptionToken("oviron-subscriptions", SERIAL, NOW.minusSeconds(3600),
                serial, LocalDate.parse("2025-01-10"), Optional.of(paidUntil), Optional.empty(), 15,
                NOW.minusSeconds(3600));
        return TokenSigner.sign(claims, "k2026", vendor.getPrivate());
    }

    /** A time statement signed by the vendor for this unit, answering {@code nonce}, stating {@code time}. */
    String statement(String nonce, Instant time) {
        return TimeStatementSigner.sign(new TimeStatement("oviron-subscriptions", SERIAL, nonce, time), "k2026",
                vendor.getPrivate());
    }

    private static KeyPair newKeyPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        access.close();
        commandsThread.shutdownNow();
        try {
            commandsThread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
