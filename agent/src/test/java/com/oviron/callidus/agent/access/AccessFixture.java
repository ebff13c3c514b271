package com.oviron.callidus.agent.access;

import com.oviron.callidus.agent.subscription.PinnedKeys;
import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.store.fake.InMemoryAuditLog;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** The access model on a manual clock with Oviron's technician key, an in-memory audit log and its events. */
final class AccessFixture implements AutoCloseable {
    static final String SERIAL = "CAL-000123";
    static final Instant NOW = Instant.parse("2026-12-11T08:00:00Z");

    final ManualClock clock = new ManualClock(NOW);
    final KeyPair oviron = newKeyPair();
    final InMemoryAuditLog log = new InMemoryAuditLog();
    final List<String> events = new CopyOnWriteArrayList<>();
    final Auditor auditor = new Auditor(log, (at, kind, message) -> events.add(kind + " " + message), clock);
    final Path dir;
    final AccessSettings settings;
    Access access;

    AccessFixture(Path dir) {
        this(dir, Duration.ofSeconds(30));
    }

    AccessFixture(Path dir, Duration firstLock) {
        this.dir = dir;
        AccessSettings d = AccessSettings.defaults(PinnedKeys.of(Map.of("t1", oviron.getPublic())), dir);
        settings = new AccessSettings(d.issuer(), d.keys(), d.stateFile(), d.idleTimeout(),
                new Lockout(firstLock, Duration.ofHours(1)), PinHash.MIN_ITERATIONS, d.consentDefault(),
                d.consentMax(), d.consentButton(), d.consentHold(), d.remoteMaxTime(), d.remoteIdle());
        access = open();
    }

    /** Opens the access model (again) from its state file, as after a restart. */
    Access open() {
        return Access.open(settings, SERIAL, auditor, clock::instant, clock);
    }

    Access reopen() {
        access.close();
        access = open();
        return access;
    }

    Authenticator auth() {
        return access.authenticator();
    }

    TechnicianToken technicianClaims(Role role, String device, Instant iat, Instant exp) {
        return new TechnicianToken("oviron-service", "T-4711", Optional.of("Maria Ivanova"), role, device, iat, exp,
                "jti-" + iat.getEpochSecond() + "-" + exp.getEpochSecond());
    }

    String technician(Role role) {
        return AccessTokens.sign(technicianClaims(role, SERIAL, NOW.minusSeconds(60), NOW.plusSeconds(8 * 3600)), "t1",
                oviron.getPrivate());
    }

    String reset(String jti) {
        return AccessTokens.sign(new PinResetToken("oviron-service", "support-ana", SERIAL, NOW.minusSeconds(60),
                NOW.plusSeconds(3600), jti), "t1", oviron.getPrivate());
    }

    /** Sets the clinic PIN as a service technician would. */
    void setPin(String pin) {
        Principal tech = ((Authenticator.LoggedIn) auth().loginWithToken(technician(Role.SERVICE),
                Origin.of(Origin.CONSOLE))).who();
        Optional<String> failed = auth().changePin(tech, Optional.empty(), pin.toCharArray(),
                Origin.of(Origin.CONSOLE));
        if (failed.isPresent()) {
            throw new AssertionError(failed.get());
        }
    }

    static KeyPair newKeyPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        access.close();
    }
}
