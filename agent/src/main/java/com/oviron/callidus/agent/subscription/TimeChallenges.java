package com.oviron.callidus.agent.subscription;

import com.oviron.callidus.agent.subscription.TokenRejectedException.Reason;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The nonces a unit hands out so that a signed time statement cannot be replayed: each is 16 random bytes
 * ({@value #NONCE_CHARS} characters of base64url), answers one statement only, and only within
 * {@code validity} of being issued, measured on the monotonic clock (setting the wall clock does not stretch
 * it). They live in memory: a restart forgets them (a statement for an older nonce is then refused and the
 * cloud asks again). The newest {@value #KEPT} are remembered, used or not, so that a refusal can say
 * whether a nonce was used, expired or never issued; more than one may be outstanding (the cloud and a field
 * technician at the same time). Thread-safe.
 */
final class TimeChallenges {
    static final int NONCE_BYTES = 16;
    static final int NONCE_CHARS = 22;
    static final int KEPT = 8;

    private static final class Entry {
        final long issuedNanos;
        boolean used;

        Entry(long issuedNanos) {
            this.issuedNanos = issuedNanos;
        }
    }

    private final SecureRandom random = new SecureRandom();
    private final LongSupplier nanoTime;
    private final Duration validity;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /**
     * @param nanoTime the monotonic clock ({@code System::nanoTime})
     * @param validity how long a nonce answers a statement
     */
    TimeChallenges(LongSupplier nanoTime, Duration validity) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.validity = Objects.requireNonNull(validity, "validity");
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive");
        }
    }

    Duration validity() {
        return validity;
    }

    /** A fresh nonce; the oldest remembered one is forgotten beyond {@value #KEPT}. */
    synchronized String issue() {
        byte[] bytes = new byte[NONCE_BYTES];
        random.nextBytes(bytes);
        String nonce = Base64Url.encode(bytes);
        entries.put(nonce, new Entry(nanoTime.getAsLong()));
        Iterator<String> oldest = entries.keySet().iterator();
        while (entries.size() > KEPT) {
            oldest.next();
            oldest.remove();
        }
        return nonce;
    }

    /**
     * Uses {@code nonce} up: from now on it answers nothing.
     *
     * @throws TokenRejectedException {@link Reason#UNKNOWN_NONCE}, {@link Reason#NONCE_USED} or
     *     {@link Reason#CHALLENGE_EXPIRED}; the nonce is then unchanged
     */
    synchronized void consume(String nonce) throws TokenRejectedException {
        Entry e = entries.get(nonce);
        if (e == null) {
            throw new TokenRejectedException(Reason.UNKNOWN_NONCE, "the nonce was not issued by this unit since it"
                    + " started, or " + KEPT + " newer challenges replaced it; ask for a new challenge");
        }
        if (e.used) {
            throw new TokenRejectedException(Reason.NONCE_USED, "the nonce was used already; a time statement counts"
                    + " once: ask for a new challenge");
        }
        long age = nanoTime.getAsLong() - e.issuedNanos;
        if (age > validity.toNanos()) {
            throw new TokenRejectedException(Reason.CHALLENGE_EXPIRED, "the challenge was issued "
                    + Duration.ofNanos(age).toSeconds() + " s ago, a statement must answer it within "
                    + validity.toSeconds() + " s: ask for a new challenge");
        }
        e.used = true;
    }
}
