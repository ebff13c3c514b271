package com.oviron.callidus.agent.update;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Ed25519 public keys the unit trusts to sign update packages, by key id. Keys come from the unit's
 * configuration, never from a package: a package only names which pinned key signed it.
 */
public final class PinnedKeys {
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private final Map<String, PublicKey> keys;

    private PinnedKeys(Map<String, PublicKey> keys) {
        this.keys = Map.copyOf(keys);
    }

    /**
     * @param encodedByKeyId key id → the key as 32 raw bytes in base64url (padding optional) or as a PEM
     *                       "PUBLIC KEY" (SubjectPublicKeyInfo, what {@code openssl pkey -pubout} writes)
     * @throws IllegalArgumentException naming the key id when an entry is not an Ed25519 public key
     */
    public static PinnedKeys of(Map<String, String> encodedByKeyId) {
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        encodedByKeyId.forEach((kid, encoded) -> {
            if (!PackageHeader.KEY_ID.matcher(kid).matches()) {
                throw new IllegalArgumentException("key id '" + kid + "' must match " + PackageHeader.KEY_ID.pattern());
            }
            keys.put(kid, parse(kid, encoded));
        });
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one update signing key must be pinned");
        }
        return new PinnedKeys(keys);
    }

    /** A public key from raw base64url or PEM SPKI text. */
    public static PublicKey parse(String kid, String encoded) {
        String text = encoded.strip();
        byte[] spki;
        try {
            if (text.startsWith("-----BEGIN PUBLIC KEY-----")) {
                String body = text.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "")
                        .replaceAll("\\s", "");
                spki = Base64.getDecoder().decode(body);
            } else {
                byte[] raw = Base64.getUrlDecoder().decode(text.replace("=", ""));
                if (raw.length != 32) {
                    throw new IllegalArgumentException("key '" + kid + "': a raw Ed25519 key has 32 bytes, got "
                            + raw.length);
                }
                spki = new byte[SPKI_PREFIX.length + 32];
                System.arraycopy(SPKI_PREFIX, 0, spki, 0, SPKI_PREFIX.length);
                System.arraycopy(raw, 0, spki, SPKI_PREFIX.length, 32);
            }
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            if (!key.getAlgorithm().equals("EdDSA") && !key.getAlgorithm().equals("Ed25519")) {
                throw new IllegalArgumentException("key '" + kid + "' is not an Ed25519 key");
            }
            return key;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            if (e instanceof IllegalArgumentException && e.getMessage() != null && e.getMessage().startsWith("key '")) {
                throw (IllegalArgumentException) e;
            }
            throw new IllegalArgumentException("key '" + kid + "' is neither 32 raw bytes in base64url nor a PEM "
                    + "Ed25519 public key: " + e.getMessage(), e);
        }
    }

    public Optional<PublicKey> get(String keyId) {
        return Optional.ofNullable(keys.get(keyId));
    }

    public Set<String> keyIds() {
        return keys.keySet();
    }
}
