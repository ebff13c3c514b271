package com.oviron.callidus.agent.subscription;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;

/** Keys and tokens for tests: the vendor's side, made with the JDK. */
final class TestTokens {
    static final String ISSUER = "oviron-subscriptions";
    static final String SERIAL = "CAL-000123";
    static final String KID = "k2026";

    final KeyPair keyPair = newKeyPair();
    final PinnedKeys pinned = PinnedKeys.of(Map.of(KID, keyPair.getPublic()));
    final TokenVerifier verifier = new TokenVerifier(ISSUER, SERIAL, pinned);

    static KeyPair newKeyPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** A token for {@link #SERIAL}: bought 2025-03-10, paid until 2027-03-10, issued 2026-11-21. */
    static SubscriptionToken claims(long tokenSerial) {
        return new SubscriptionToken(ISSUER, SERIAL, Instant.parse("2026-11-21T08:00:00Z"), tokenSerial,
                LocalDate.parse("2025-03-10"), Optional.of(LocalDate.parse("2027-03-10")),
                Optional.of(LocalDate.parse("2026-12-31")), 15, Instant.parse("2026-11-21T08:00:00Z"));
    }

    static SubscriptionToken withTimes(SubscriptionToken t, Instant issuedAt, Instant serverTime) {
        return new SubscriptionToken(t.issuer(), t.deviceSerial(), issuedAt, t.tokenSerial(), t.purchaseDate(),
                t.serviceManagerPaidUntil(), t.extendedWarrantyPaidUntil(), t.graceDays(), serverTime);
    }

    static SubscriptionToken withPaidUntil(SubscriptionToken t, LocalDate sm) {
        return new SubscriptionToken(t.issuer(), t.deviceSerial(), t.issuedAt(), t.tokenSerial(), t.purchaseDate(),
                Optional.of(sm), t.extendedWarrantyPaidUntil(), t.graceDays(), t.serverTime());
    }

    String sign(SubscriptionToken claims) {
        return TokenSigner.sign(claims, KID, keyPair.getPrivate());
    }

    String token(long tokenSerial) {
        return sign(claims(tokenSerial));
    }

    /** A time statement for {@link #SERIAL} answering {@code nonce}, stating {@code time}. */
    String statement(String nonce, Instant time) {
        return TimeStatementSigner.sign(new TimeStatement(ISSUER, SERIAL, nonce, time), KID, keyPair.getPrivate());
    }

    VerifiedToken verified(long tokenSerial) throws TokenRejectedException {
        return verifier.verify(token(tokenSerial));
    }
}
