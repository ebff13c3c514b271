package com.oviron.callidus.agent.access;

import com.google.gson.JsonObject;
import com.oviron.callidus.hal.GpioPort;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.tinylog.Logger;

/**
 * Technician access to the unit (issue 14, docs/console.md "Access"): who may log in ({@link Authenticator}),
 * the clinic's consent to remote support ({@link Consent}, and the {@link ConsentButton}), over the audit trail
 * ({@link Auditor}). Built by the agent from the {@code access} section; consoles use it.
 *
 * <p>Thread: "access", a single daemon thread for the consent's once-a-second check and the button's timer.
 */
public final class Access implements AutoCloseable {
    private final AccessSettings settings;
    private final Authenticator authenticator;
    private final Consent consent;
    private final Auditor auditor;
    private final ScheduledExecutorService timer;

    private Access(AccessSettings settings, Authenticator authenticator, Consent consent, Auditor auditor,
                   ScheduledExecutorService timer) {
        this.settings = settings;
        this.authenticator = authenticator;
        this.consent = consent;
        this.auditor = auditor;
        this.timer = timer;
    }

    /**
     * Reads the access state and starts the "access" thread. A damaged state file is audited as an alarm-worthy
     * fact: the unit starts without a PIN (see {@link AccessStateFile}).
     *
     * @param tokenTime the time tokens are judged by (trusted time when the unit has it)
     */
    public static Access open(AccessSettings settings, String deviceSerial, Auditor auditor,
                              Supplier<Instant> tokenTime, Clock clock) {
        Objects.requireNonNull(settings, "settings");
        AccessStateStore state = new AccessStateStore(new AccessStateFile(settings.stateFile()), clock);
        AccessTokens tokens = new AccessTokens(settings.issuer(), deviceSerial, settings.keys());
        Authenticator authenticator = new Authenticator(state, tokens, settings.lockout(), settings.pinIterations(),
                tokenTime, clock, auditor);
        Consent consent = new Consent(state, settings.consentDefault(), settings.consentMax(), clock, auditor);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "access");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                consent.tick();
            } catch (RuntimeException e) {
                Logger.error(e, "consent check failed");
            }
        }, 1, 1, TimeUnit.SECONDS);
        if (state.startedDamaged()) {
            JsonObject details = new JsonObject();
            details.addProperty("file", settings.stateFile().getFileName().toString());
            auditor.record(Auditor.LOGIN, "access_state_damaged", "unit", "-", Origin.of(Origin.UNIT), details,
                    "the access state was damaged and set aside: no clinic PIN until a technician sets one", false);
        }
        Logger.info("access keys={} pinSet={} idleMinutes={} consentButton={}", settings.keys().keyIds(),
                authenticator.pinSet(), settings.idleTimeout().toMinutes(), settings.consentButton().orElse("none"));
        return new Access(settings, authenticator, consent, auditor, timer);
    }

    /** Watches the consent button, when the configuration names one and the unit has GPIO. */
    public void watchButton(GpioPort gpio) {
        settings.consentButton().ifPresent(input -> ConsentButton.watch(gpio, input, settings.consentHold(), consent,
                timer));
    }

    public AccessSettings settings() {
        return settings;
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    public Consent consent() {
        return consent;
    }

    public Auditor auditor() {
        return auditor;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
