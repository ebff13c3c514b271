package com.oviron.callidus.agent.subscription;

import java.util.Objects;

/**
 * A token whose signature, header and claims {@link TokenVerifier} has checked, with the compact form it
 * came in (what {@link TokenStore} keeps on disk). {@link #toString()} leaves the compact form out: tokens
 * do not go into logs.
 *
 * @param claims  what the token says
 * @param keyId   the pinned key ({@code kid}) that verified it
 * @param compact the compact JWS exactly as received
 */
public record VerifiedToken(SubscriptionToken claims, String keyId, String compact) {
    public VerifiedToken {
        Objects.requireNonNull(claims, "claims");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(compact, "compact");
    }

    @Override
    public String toString() {
        return "VerifiedToken[tsn=" + claims.tokenSerial() + ", sub=" + claims.deviceSerial() + ", kid=" + keyId + "]";
    }
}
