package com.oviron.callidus.agent.subscription;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.tinylog.Logger;

/**
 * The unit's subscription: the installed token ({@link TokenStore}), trusted time ({@link TrustedClock}) and
 * the decision ({@link Entitlement}), for the cloud link, the console and the command channel; and the signed
 * way to correct trusted time: a challenge ({@link #challenge()}) answered by a signed time statement
 * ({@link #setTime}).
 *
 * <p>It gates <b>cloud services only</b>; nothing here touches the unit's own functions. When the
 * subscription is lapsed or there is no valid token, {@link #commandAllowed} lets through only the commands
 * needed to see the state and receive a new token ({@link #ALWAYS_ALLOWED}), and
 * {@link #cloudServicesAllowed()} is false: telemetry stays buffered in the store within its retention limits
 * instead of being sent.
 *
 * <p>Thread-safe; every method is short (an install writes two small files). Change listeners are called on
 * the caller's thread after the change, outside the lock.
 */
public final class SubscriptionService {
    /**
     * Commands allowed whatever the subscription: see the state, receive a new token, correct trusted time (a
     * wrong trusted time may be what lapsed the subscription).
     */
    public static final Set<String> ALWAYS_ALLOWED = Set.of("subscription.install", "subscription.get",
            "status.get", "commands.list", "clock.challenge", "clock.set");

    private final TokenVerifier verifier;
    private final TokenStore store;
    private final TrustedClock clock;
    private final TimeStatementVerifier statements;
    private final TimeChallenges challenges;
    private final List<Consumer<SubscriptionStatus>> listeners = new CopyOnWriteArrayList<>();
    private Summary lastSummary;

    /** What a change listener is told about: a change of any of these. */
    private record Summary(ServiceManagerState state, boolean reminderDue, boolean extendedWarranty,
                           boolean clockTampered, long tokenSerial) {
        static Summary of(SubscriptionStatus s) {
            return new Summary(s.entitlement().serviceManager(), s.entitlement().reminderDue(),
                    s.entitlement().extendedWarrantyActive(), s.clock().clockTampered(),
                    s.token().map(t -> t.claims().tokenSerial()).orElse(0L));
        }
    }

    SubscriptionService(TokenVerifier verifier, TokenStore store, TrustedClock clock, TimeStatementVerifier statements,
                        TimeChallenges challenges) {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.statements = Objects.requireNonNull(statements, "statements");
        this.challenges = Objects.requireNonNull(challenges, "challenges");
    }

    /**
     * Opens the token cache and the trusted-time file of {@code settings} for the unit {@code deviceSerial};
     * never fails on a bad file (it is kept aside and logged).
     */
    public static SubscriptionService open(SubscriptionSettings settings, String deviceSerial, Clock localClock) {
        return open(settings, deviceSerial, localClock, System::nanoTime);
    }

    /** As {@link #open(SubscriptionSettings, String, Clock)}, with the monotonic clock given (tests). */
    public static SubscriptionService open(SubscriptionSettings settings, String deviceSerial, Clock localClock,
                                           LongSupplier nanoTime) {
        TokenVerifier verifier = new TokenVerifier(settings.issuer(), deviceSerial, settings.keys());
        TrustedClock trusted = new TrustedClock(settings.clockFile(), localClock, nanoTime, settings.clockTolerance(),
                settings.tokenTimeLead());
        SubscriptionService service = new SubscriptionService(verifier, new TokenStore(settings.tokenFile(), verifier),
                trusted, new TimeStatementVerifier(settings.issuer(), deviceSerial, settings.keys()),
                new TimeChallenges(nanoTime, settings.timeChallengeValidity()));
        SubscriptionStatus s = service.status();
        Logger.info("subscription state={} cloudServices={} reminderDue={} serviceManagerEnd={} tsn={} clockState={}",
                s.entitlement().serviceManager().wire(), s.entitlement().cloudServicesAllowed(),
                s.entitlement().reminderDue(), s.entitlement().serviceManagerEnd().map(Object::toString).orElse("-"),
                s.token().map(t -> t.claims().tokenSerial()).orElse(0L), s.clock().clockState());
        return service;
    }

    /** Tells {@code listener} (on the caller's thread) each time state, reminder, warranty, clock or token change. */
    public void addChangeListener(Consumer<SubscriptionStatus> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** The decision now (reads the clock); also fires the change listeners if something changed. */
    public SubscriptionStatus status() {
        SubscriptionStatus s;
        boolean changed;
        synchronized (this) {
            s = compute(clock.read());
            Summary summary = Summary.of(s);
            changed = lastSummary != null && !summary.equals(lastSummary);
            lastSummary = summary;
        }
        if (changed) {
            Logger.info("subscription changed state={} reminderDue={} extendedWarranty={} clockState={} tsn={}",
                    s.entitlement().serviceManager().wire(), s.entitlement().reminderDue(),
                    s.entitlement().extendedWarrantyActive(), s.clock().clockState(),
                    s.token().map(t -> t.claims().tokenSerial()).orElse(0L));
            notifyListeners(s);
        }
        return s;
    }

    /** Whether cloud services (telemetry upload, remote access, file transfer...) may run now. */
    public boolean cloudServicesAllowed() {
        return status().entitlement().cloudServicesAllowed();
    }

    /** Whether a remote software update may be installed now. */
    public boolean updatesAllowed() {
        return status().entitlement().updatesAllowed();
    }

    /** For {@code CommandChannel.setEntitlement}: whether the cloud command {@code name} may run now. */
    public boolean commandAllowed(String name) {
        return ALWAYS_ALLOWED.contains(name) || cloudServicesAllowed();
    }

    /**
     * Installs a token from the cloud (command or retained message) or the console.
     *
     * @param source for the log: {@code command}, {@code retained}, {@code console}
     * @throws TokenRejectedException when it does not verify, is older than the installed one or cannot be stored;
     *     the installed token is then unchanged
     */
    public InstallOutcome install(String compact, String source) throws TokenRejectedException {
        SubscriptionStatus s;
        synchronized (this) {
            VerifiedToken token;
            try {
                token = verifier.verify(compact);
            } catch (TokenRejectedException e) {
                Logger.warn("subscription token refused source={} reason={} detail={}", source, e.reason().wire(),
                        e.getMessage());
                throw e;
            }
            Optional<VerifiedToken> current = store.current();
            if (current.isPresent() && current.get().compact().equals(token.compact())) {
                return new InstallOutcome(false, compute(clock.read()));
            }
            try {
                store.install(token);
            } catch (TokenRejectedException e) {
                Logger.warn("subscription token refused source={} reason={} detail={}", source, e.reason().wire(),
                        e.getMessage());
                throw e;
            }
            SubscriptionToken c = token.claims();
            Instant tokenTime = c.serverTime().isAfter(c.issuedAt()) ? c.serverTime() : c.issuedAt();
            s = compute(clock.acceptTokenTime(tokenTime));
            Logger.info("subscription token installed source={} tsn={} kid={} state={} serviceManagerEnd={}"
                    + " extendedWarranty={}", source, c.tokenSerial(), token.keyId(),
                    s.entitlement().serviceManager().wire(),
                    s.entitlement().serviceManagerEnd().map(Object::toString).orElse("-"),
                    s.entitlement().extendedWarrantyActive());
            lastSummary = Summary.of(s);
        }
        notifyListeners(s);
        return new InstallOutcome(true, s);
    }

    /** A token pasted by a field technician on the console (surrounding white space is ignored). */
    public InstallOutcome installFromConsole(String pasted) throws TokenRejectedException {
        return install(pasted, "console");
    }

    /**
     * A new challenge for a signed time statement ({@code clock.challenge}); it answers one statement within
     * {@code subscription.timeChallengeValidity}.
     */
    public TimeChallenge challenge() {
        String nonce = challenges.issue();
        TrustedClock.Reading reading = clock.read();
        Logger.info("time challenge issued validSeconds={} trustedTime={} localClock={} clockState={}",
                challenges.validity().toSeconds(), reading.trustedNow(), reading.localNow(), reading.clockState());
        return new TimeChallenge(verifier.deviceSerial(), statements.issuer(), nonce, challenges.validity(), reading);
    }

    /**
     * Sets trusted time from a signed time statement that answers a challenge of this unit (cloud command or
     * console), up or down; a subscription lapsed by a wrong trusted time comes back at once (the change
     * listeners hear of it).
     *
     * @param source for the log: {@code command}, {@code console}
     * @throws TokenRejectedException when it does not verify, is for another unit or its nonce is unknown, used
     *     or expired; trusted time is then unchanged
     */
    public TimeSetOutcome setTime(String compact, String source) throws TokenRejectedException {
        SubscriptionStatus s;
        Instant before;
        boolean changed;
        synchronized (this) {
            TimeStatement statement;
            try {
                statement = statements.verify(compact);
                challenges.consume(statement.nonce());
            } catch (TokenRejectedException e) {
                Logger.warn("time statement refused source={} reason={} detail={}", source, e.reason().wire(),
                        e.getMessage());
                throw e;
            }
            before = clock.read().trustedNow();
            s = compute(clock.acceptSignedTime(statement.time()));
            Logger.info("time statement accepted source={} trustedTimeWas={} trustedTime={} state={}", source, before,
                    s.clock().trustedNow(), s.entitlement().serviceManager().wire());
            Summary summary = Summary.of(s);
            changed = !summary.equals(lastSummary);
            lastSummary = summary;
        }
        if (changed) {
            notifyListeners(s);
        }
        return new TimeSetOutcome(before, s);
    }

    private SubscriptionStatus compute(TrustedClock.Reading reading) {
        Optional<VerifiedToken> token = store.current();
        Entitlement e = Entitlement.decide(token.map(VerifiedToken::claims), reading.trustedNow(),
                !reading.clockTampered());
        return new SubscriptionStatus(e, reading, token);
    }

    private void notifyListeners(SubscriptionStatus s) {
        for (Consumer<SubscriptionStatus> l : listeners) {
            try {
                l.accept(s);
            } catch (RuntimeException e) {
                Logger.error(e, "subscription change listener failed");
            }
        }
    }
}
