package com.oviron.callidus.agent.subscription;

import java.security.PrivateKey;

/**
 * Makes a time statement the way Oviron's signing server does (header
 * {@code {"alg":"EdDSA","kid":..,"typ":"callidus-time+jwt"}}, the claims of {@link TimeStatementCodec}, an
 * Ed25519 signature). The unit never signs; this is for the {@code tools vendor time sign} command and the
 * tests. The private key stays with the caller and is never logged.
 */
public final class TimeStatementSigner {
    private TimeStatementSigner() {
    }

    /** @return the compact JWS */
    public static String sign(TimeStatement statement, String keyId, PrivateKey key) {
        return CompactJws.sign(TimeStatementCodec.toJson(statement), TimeStatement.TYPE, keyId, key);
    }
}
