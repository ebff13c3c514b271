package com.oviron.callidus.agent.access;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.tinylog.Logger;

/**
 * Logs people in at a console and keeps the clinic PIN (docs/console.md, "Access"): the unit PIN (role
 * {@link Role#CLINIC}; a salted slow hash, {@link PinHash}; wrong PINs lock the PIN login for a growing time,
 * {@link Lockout}, also across restarts) or a technician token signed by Oviron (its role). A forgotten PIN is
 * set again by a service technician or with a PIN reset token signed by Oviron, never otherwise. Every attempt,
 * good or bad, is audited. Thread-safe.
 */
public final class Authenticator {
    private final AccessStateStore state;
    private final AccessTokens tokens;
    private final Lockout lockout;
    private final int pinIterations;
    private final Supplier<Instant> tokenTime;
    private final Clock clock;
    private final Auditor auditor;

    /** What a login attempt came to. */
    public sealed interface Outcome permits LoggedIn, Refused {
    }

    /** Logged in as {@code who}. */
    public record LoggedIn(Principal who) implements Outcome {
    }

    /**
     * Not logged in.
     *
     * @param message   for the person at the console
     * @param lockedFor when the PIN login is locked now: for how long
     */
    public record Refused(String message, Optional<Duration> lockedFor) implements Outcome {
    }

    /**
     * @param tokenTime the time tokens are judged by (the unit's trusted time when it has one, so that setting
     *                  the clock back does not revive an expired token)
     */
    Authenticator(AccessStateStore state, AccessTokens tokens, Lockout lockout, int pinIterations,
                  Supplier<Instant> tokenTime, Clock clock, Auditor auditor) {
        this.state = Objects.requireNonNull(state, "state");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.lockout = Objects.requireNonNull(lockout, "lockout");
        this.pinIterations = pinIterations;
        this.tokenTime = Objects.requireNonNull(tokenTime, "tokenTime");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.auditor = Objects.requireNonNull(auditor, "auditor");
    }

    /** Whether a clinic PIN is set. */
    public boolean pinSet() {
        return state.get().pin().isPresent();
    }

    /** How long the PIN login is locked now, if it is. */
    public synchronized Optional<Duration> pinLockedFor() {
        AccessState s = state.get();
        if (s.lockedUntil().isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Instant until = s.lockedUntil().get();
        if (Duration.between(now, until).compareTo(s.lockLength()) > 0) {
            // the clock was set back: a lock never lasts longer than it was given
            until = now.plus(s.lockLength());
            Instant capped = until;
            state.updateEvenIfNotWritten(x -> x.withFailure(x.failedPins(), Optional.of(capped), x.lockLength()));
        }
        return now.isBefore(until) ? Optional.of(Duration.between(now, until)) : Optional.empty();
    }

    /** Wrong PINs in a row so far. */
    public int failedPins() {
        return state.get().failedPins();
    }

    /** A login with the unit PIN. The PIN is cleared from {@code pin} before this returns. */
    public synchronized Outcome loginWithPin(char[] pin, Origin origin) {
        try {
            JsonObject details = details("pin");
            Optional<PinHash> hash = state.get().pin();
            if (hash.isEmpty()) {
                return refused(origin, details, "no_pin", "no clinic PIN is set on this unit: a service technician"
                        + " sets one (passwd), or use a PIN reset token (passwd reset)", Optional.empty());
            }
            Optional<Duration> locked = pinLockedFor();
            if (locked.isPresent()) {
                return refused(origin, details, "locked", "the PIN login is locked for " + seconds(locked.get())
                        + " after " + state.get().failedPins() + " wrong PINs; a technician token still works",
                        locked);
            }
            if (PinHash.wellFormed(java.nio.CharBuffer.wrap(pin)) && hash.get().matches(pin)) {
                if (state.get().failedPins() > 0) {
                    state.updateEvenIfNotWritten(s -> s.withFailure(0, Optional.empty(), Duration.ZERO));
                }
                Principal who = Principal.clinic();
                auditor.record(Auditor.LOGIN, "login", who.actor(), who.role().wire(), origin, details, "ok", true);
                return new LoggedIn(who);
            }
            return wrongPin(origin, details);
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    private Outcome wrongPin(Origin origin, JsonObject details) {
        int failures = state.get().failedPins() + 1;
        Duration lock = lockout.after(failures);
        Optional<Instant> until = lock.isZero() ? Optional.empty() : Optional.of(clock.instant().plus(lock));
        state.updateEvenIfNotWritten(s -> s.withFailure(failures, until, lock));
        if (lock.isZero()) {
            int left = Lockout.FREE_ATTEMPTS - failures;
            return refused(origin, details, "wrong_pin", "wrong PIN; " + left + " more "
                    + (left == 1 ? "try" : "tries") + " before the PIN login is locked", Optional.empty());
        }
        Logger.warn("pin login locked failures={} seconds={}", failures, lock.toSeconds());
        JsonObject lockDetails = new JsonObject();
        lockDetails.addProperty("failedPins", failures);
        lockDetails.addProperty("lockedSeconds", lock.toSeconds());
        auditor.record(Auditor.LOGIN, "lockout", "unknown", "-", origin, lockDetails,
                "PIN login locked for " + seconds(lock), false);
        return refused(origin, details, "wrong_pin", "wrong PIN; the PIN login is locked for " + seconds(lock)
                + " (" + failures + " wrong PINs in a row)", Optional.of(lock));
    }

    /** A login with a technician token. */
    public Outcome loginWithToken(String token, Origin origin) {
        JsonObject details = details("token");
        try {
            AccessTokens.VerifiedTechnician t = tokens.technician(token, tokenTime.get());
            Principal who = Principal.of(t);
            details.addProperty("tokenId", t.claims().tokenId());
            details.addProperty("keyId", t.keyId());
            details.addProperty("device", t.claims().device());
            details.addProperty("expires", t.claims().expiresAt().toString());
            auditor.record(Auditor.LOGIN, "login", who.actor(), who.role().wire(), origin, details, "ok", true);
            return new LoggedIn(who);
        } catch (AccessTokenRejectedException e) {
            return refused(origin, details, e.reason().wire(), "token refused: " + e.reason().wire() + ": "
                    + e.getMessage(), Optional.empty());
        }
    }

    /** Records the end of a session ({@code why}: {@code logout}, {@code idle}, {@code token expired}...). */
    public void loggedOut(Principal who, Origin origin, String why) {
        JsonObject details = new JsonObject();
        details.addProperty("reason", why);
        auditor.record(Auditor.LOGIN, "logout", who.actor(), who.role().wire(), origin, details, "ok", true);
    }

    /**
     * Sets the clinic PIN. Someone logged in with the PIN must give the current one (a wrong one counts as a
     * wrong PIN); a technician token's holder need not.
     *
     * @return empty when it was set, or why not
     */
    public synchronized Optional<String> changePin(Principal who, Optional<char[]> current, char[] newPin,
                                                   Origin origin) {
        try {
            JsonObject details = new JsonObject();
            if (who.method() == Principal.Method.PIN) {
                if (current.isEmpty()) {
                    return pinNotChanged(who, origin, details, "the current PIN is needed");
                }
                Optional<Duration> locked = pinLockedFor();
                if (locked.isPresent()) {
                    return pinNotChanged(who, origin, details, "the PIN login is locked for " + seconds(locked.get()));
                }
                Optional<PinHash> hash = state.get().pin();
                if (hash.isEmpty() || !PinHash.wellFormed(java.nio.CharBuffer.wrap(current.get()))
                        || !hash.get().matches(current.get())) {
                    Refused r = (Refused) wrongPin(origin, details("pin"));
                    return pinNotChanged(who, origin, details, "the current PIN is wrong: " + r.message());
                }
            }
            return setPin(who.actor(), who.role().wire(), newPin, origin, "pin_changed", details,
                    s -> s);
        } finally {
            current.ifPresent(c -> Arrays.fill(c, '\0'));
            Arrays.fill(newPin, '\0');
        }
    }

    /**
     * Sets a new clinic PIN with a PIN reset token, which counts once; clears the lockout.
     *
     * @return empty when it was set, or why not
     */
    public synchronized Optional<String> resetPin(String resetToken, char[] newPin, Origin origin) {
        try {
            JsonObject details = new JsonObject();
            PinResetToken t;
            try {
                t = tokens.reset(resetToken, tokenTime.get());
            } catch (AccessTokenRejectedException e) {
                details.addProperty("reason", e.reason().wire());
                auditor.record(Auditor.LOGIN, "pin_reset", "unknown", "-", origin, details,
                        "refused: " + e.reason().wire() + ": " + e.getMessage(), false);
                return Optional.of("reset token refused: " + e.reason().wire() + ": " + e.getMessage());
            }
            details.addProperty("tokenId", t.tokenId());
            details.addProperty("issuedBy", t.issuedBy());
            if (state.get().usedTokens().containsKey(t.tokenId())) {
                auditor.record(Auditor.LOGIN, "pin_reset", t.issuedBy(), "-", origin, details,
                        "refused: already_used", false);
                return Optional.of("reset token refused: already_used: this reset token was used already; ask"
                        + " Oviron for a new one");
            }
            Instant now = clock.instant();
            return setPin(t.issuedBy(), "-", newPin, origin, "pin_reset", details,
                    s -> s.withUsedToken(t.tokenId(), t.expiresAt(), now));
        } finally {
            Arrays.fill(newPin, '\0');
        }
    }

    private Optional<String> setPin(String actor, String role, char[] newPin, Origin origin, String action,
                                    JsonObject details, java.util.function.UnaryOperator<AccessState> also) {
        if (!PinHash.wellFormed(java.nio.CharBuffer.wrap(newPin))) {
            auditor.record(Auditor.LOGIN, action, actor, role, origin, details, "refused: not 6 to 12 digits",
                    false);
            return Optional.of("a PIN is 6 to 12 digits");
        }
        PinHash hash = PinHash.of(newPin, pinIterations);
        try {
            state.update(s -> also.apply(s.withPin(hash)));
        } catch (IOException e) {
            Logger.error("clinic pin not stored error={}", e.getMessage());
            auditor.record(Auditor.LOGIN, action, actor, role, origin, details, "failed: not stored", false);
            return Optional.of("the PIN could not be stored (" + e.getMessage() + "); the old one still applies");
        }
        auditor.record(Auditor.LOGIN, action, actor, role, origin, details, "ok", true);
        return Optional.empty();
    }

    private Optional<String> pinNotChanged(Principal who, Origin origin, JsonObject details, String why) {
        auditor.record(Auditor.LOGIN, "pin_changed", who.actor(), who.role().wire(), origin, details,
                "refused: " + why, false);
        return Optional.of(why);
    }

    private Refused refused(Origin origin, JsonObject details, String reason, String message,
                            Optional<Duration> lockedFor) {
        details.addProperty("reason", reason);
        auditor.record(Auditor.LOGIN, "login_failed", "unknown", "-", origin, details, message, false);
        return new Refused(message, lockedFor);
    }

    private static JsonObject details(String method) {
        JsonObject d = new JsonObject();
        d.addProperty("method", method);
        return d;
    }

    /** For people: "30 s", "2 min 5 s". */
    public static String seconds(Duration d) {
        long s = Math.max(1, (d.toMillis() + 999) / 1000);
        return s < 60 ? s + " s" : s / 60 + " min" + (s % 60 == 0 ? "" : " " + s % 60 + " s");
    }
}
