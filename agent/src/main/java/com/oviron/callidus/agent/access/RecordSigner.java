package com.oviron.callidus.agent.access;

import com.oviron.callidus.agent.subscription.PinnedKeys;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The unit's own Ed25519 key as the service record needs it: it signs, and its private key never leaves it.
 * The agent backs it with the unit key made on the first start ({@code unit-key.pem} in the state folder).
 */
public interface RecordSigner {

    /** The key id: {@link #keyId(PublicKey)} of {@link #publicKey()}. */
    String keyId();

    PublicKey publicKey();

    /** An Ed25519 signature (64 bytes) of {@code data}. */
    byte[] sign(byte[] data);

    /** The unit key ({@code unit-key.pem}, the one that signs self-test results) as a record signer. */
    static RecordSigner of(com.oviron.callidus.agent.selftest.UnitKey key) {
        return new RecordSigner() {
            @Override
            public String keyId() {
                return key.keyId();
            }

            @Override
            public PublicKey publicKey() {
                return key.publicKey();
            }

            @Override
            public byte[] sign(byte[] data) {
                return key.sign(data);
            }

            @Override
            public String toString() {
                return key.toString();
            }
        };
    }

    /** A unit key's id: the first 16 hex digits of the SHA-256 of the raw 32-byte public key. */
    static String keyId(PublicKey key) {
        try {
            byte[] raw = Base64.getUrlDecoder().decode(PinnedKeys.rawBase64Url(key));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw)).substring(0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
