package com.oviron.callidus.agent.subscription;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;

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
        if (!PinnedKeys.KEY_ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("key id must match " + PinnedKeys.KEY_ID.pattern());
        }
        com.google.gson.JsonObject header = new com.google.gson.JsonObject();
        header.addProperty("alg", "EdDSA");
        header.addProperty("kid", keyId);
        header.addProperty("typ", "JWT");
        String signingInput = Base64Url.encode(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + Base64Url.encode(TokenClaimsCodec.toJson(claims).toString().getBytes(StandardCharsets.UTF_8));
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(key);
            signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + Base64Url.encode(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key (an Ed25519 private key is needed): "
                    + e.getMessage(), e);
        }
    }
}
