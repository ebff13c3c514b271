package com.oviron.callidus.agent.subscription;

import java.security.PrivateKey;

/**
 * Makes a token the way the vendor's server does (header {@code {"alg":"EdDSA","kid":..,"typ":"JWT"}}, the
 * claims of {@link TokenClaimsCodec}, an Ed25519 signature). The unit never signs; this is here so that the
 * {@code tools vendor} command and the tests produce exactly what {@link TokenVerifier} reads. The private
 * key stays with the caller and is never logged.
 */
public final class TokenSigner {
    private TokenSigner() {
    }

    /** @return the compact JWS */
    public static String sign(SubscriptionToken claims, String keyId, PrivateKey key) {
        return CompactJws.sign(TokenClaimsCodec.toJson(claims), TokenVerifier.TYPE.value(), keyId, key);
    }
}
