package com.oviron.callidus.agent.update;

import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Ed25519 public keys the unit trusts to sign update packages, by key id. Keys come from the unit's
 * configuration, never from a package: a package only names which pinned key signed it.
 */
public final class PinnedKeys {
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

    /**
     * A public key from raw base64url or PEM SPKI text; the parsing is the subscription's
     * ({@link com.oviron.callidus.agent.subscription.PinnedKeys#parsePublicKey}), one place for both.
     */
    public static PublicKey parse(String kid, String encoded) {
        try {
            return com.oviron.callidus.agent.subscription.PinnedKeys.parsePublicKey(encoded.strip());
        } catch (IllegalArgumentException e) {
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
