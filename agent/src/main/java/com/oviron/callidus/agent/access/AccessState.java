package com.oviron.callidus.agent.access;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the access model keeps across restarts (the file {@code access.json}, {@link AccessStateFile}).
 *
 * @param pin         the clinic PIN's hash; empty until one is set (a service technician sets it, or a reset
 *                    token does)
 * @param failedPins  wrong PINs in a row since the last right one
 * @param lockedUntil while the PIN login is locked: until when
 * @param lockLength  the length of the current lock (a lock is never longer than this, even when the clock was
 *                    set back)
 * @param usedTokens  PIN reset tokens already used, by token id, with their expiry (kept until then)
 * @param consent     remote support allowed by a person at the unit, if it is
 */
public record AccessState(Optional<PinHash> pin, int failedPins, Optional<Instant> lockedUntil,
                          java.time.Duration lockLength, Map<String, Instant> usedTokens,
                          Optional<ConsentGrant> consent) {
    /** Reset tokens remembered at most; the oldest expiring go first. */
    static final int MAX_USED_TOKENS = 256;

    public AccessState {
        Objects.requireNonNull(pin, "pin");
        Objects.requireNonNull(lockedUntil, "lockedUntil");
        Objects.requireNonNull(lockLength, "lockLength");
        Objects.requireNonNull(consent, "consent");
        if (failedPins < 0) {
            throw new IllegalArgumentException("failedPins must not be negative");
        }
        usedTokens = java.util.Collections.unmodifiableMap(new TreeMap<>(usedTokens));
    }

    /** A unit without a PIN, failures, used tokens or consent. */
    public static AccessState empty() {
        return new AccessState(Optional.empty(), 0, Optional.empty(), java.time.Duration.ZERO, Map.of(),
                Optional.empty());
    }

    AccessState withPin(PinHash hash) {
        return new AccessState(Optional.of(hash), 0, Optional.empty(), java.time.Duration.ZERO, usedTokens, consent);
    }

    AccessState withFailure(int failures, Optional<Instant> until, java.time.Duration length) {
        return new AccessState(pin, failures, until, length, usedTokens, consent);
    }

    AccessState withConsent(Optional<ConsentGrant> grant) {
        return new AccessState(pin, failedPins, lockedUntil, lockLength, usedTokens, grant);
    }

    /** With {@code tokenId} remembered until {@code expires}; expired ones and the oldest beyond the bound go. */
    AccessState withUsedToken(String tokenId, Instant expires, Instant now) {
        TreeMap<String, Instant> used = new TreeMap<>(usedTokens);
        used.values().removeIf(exp -> !exp.isAfter(now));
        used.put(tokenId, expires);
        while (used.size() > MAX_USED_TOKENS) {
            String oldest = used.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
            used.remove(oldest);
        }
        return new AccessState(pin, failedPins, lockedUntil, lockLength, used, consent);
    }
}
