package com.oviron.callidus.agent.subscription;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The vendor's Ed25519 public keys the unit trusts, by key id ({@code kid}). Several keys allow rotation: the
 * server signs with a new key once every unit has it pinned, and the old key is removed later. A key is
 * given either as the raw 32-byte public key in unpadded base64url (as in a JWK's {@code x}) or as a PEM
 * {@code PUBLIC KEY} (SubjectPublicKeyInfo), both as {@code openssl} and the {@code tools vendor keygen}
 * command write them.
 */
public final class PinnedKeys {
    /** The shape of a key id. */
    public static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE, AlgorithmIdentifier 1.3.101.112, BIT STRING. */
    private static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    private static final Pattern PEM = Pattern.compile(
            "\\s*-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----\\s*");

    private final Map<String, PublicKey> keys;

    private PinnedKeys(Map<String, PublicKey> keys) {
        this.keys = Collections.unmodifiableMap(new TreeMap<>(keys));
    }

    /**
     * Reads the configured keys.
     *
     * @param keyTexts key id to key text (raw base64url or PEM)
     * @throws IllegalArgumentException naming the key id, when an id or a key is not valid, or there is none
     */
    public static PinnedKeys parse(Map<String, String> keyTexts) {
        Objects.requireNonNull(keyTexts, "keyTexts");
        if (keyTexts.isEmpty()) {
            throw new IllegalArgumentException("at least one public key must be pinned");
        }
        Map<String, PublicKey> keys = new TreeMap<>();
        for (Map.Entry<String, String> e : keyTexts.entrySet()) {
            if (!KEY_ID.matcher(e.getKey()).matches()) {
                throw new IllegalArgumentException("key id '" + e.getKey() + "' must match " + KEY_ID.pattern());
            }
            try {
                keys.put(e.getKey(), parsePublicKey(e.getValue()));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("key '" + e.getKey() + "': " + ex.getMessage(), ex);
            }
        }
        return new PinnedKeys(keys);
    }

    /** Pins already decoded keys (tests and tools). */
    public static PinnedKeys of(Map<String, PublicKey> keys) {
        Map<String, String> texts = new TreeMap<>();
        keys.forEach((kid, key) -> texts.put(kid, rawBase64Url(key)));
        return parse(texts);
    }

    /** The key pinned under {@code keyId}. */
    public Optional<PublicKey> key(String keyId) {
        return Optional.ofNullable(keys.get(keyId));
    }

    /** The pinned key ids, sorted. */
    public java.util.Set<String> keyIds() {
        return keys.keySet();
    }

    /**
     * Reads an Ed25519 public key: 43 characters of unpadded base64url (32 raw bytes) or a PEM
     * {@code PUBLIC KEY} block.
     *
     * @throws IllegalArgumentException with what is wrong
     */
    public static PublicKey parsePublicKey(String text) {
        Objects.requireNonNull(text, "text");
        byte[] spki;
        var pem = PEM.matcher(text);
        if (pem.matches()) {
            try {
                spki = Base64.getMimeDecoder().decode(pem.group(1).replaceAll("\\s", ""));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("PEM body is not base64");
            }
            if (spki.length != SPKI_PREFIX.length + 32
                    || !Arrays.equals(Arrays.copyOf(spki, SPKI_PREFIX.length), SPKI_PREFIX)) {
                throw new IllegalArgumentException("PEM PUBLIC KEY is not an Ed25519 key");
            }
        } else {
            byte[] raw;
            try {
                raw = Base64Url.decode(text.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("neither a PEM PUBLIC KEY nor raw base64url: " + e.getMessage());
            }
            if (raw.length != 32) {
                throw new IllegalArgumentException("a raw Ed25519 public key has 32 bytes, this has " + raw.length);
            }
            spki = new byte[SPKI_PREFIX.length + 32];
            System.arraycopy(SPKI_PREFIX, 0, spki, 0, SPKI_PREFIX.length);
            System.arraycopy(raw, 0, spki, SPKI_PREFIX.length, 32);
        }
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a valid Ed25519 public key: " + e.getMessage());
        }
    }

    /** The raw 32-byte public key in unpadded base64url. */
    public static String rawBase64Url(PublicKey key) {
        byte[] spki = key.getEncoded();
        if (!"Ed25519".equals(key.getAlgorithm()) && !"EdDSA".equals(key.getAlgorithm())
                || spki.length != SPKI_PREFIX.length + 32) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
        return Base64Url.encode(Arrays.copyOfRange(spki, SPKI_PREFIX.length, spki.length));
    }

    /** The key as a PEM {@code PUBLIC KEY} block (SubjectPublicKeyInfo), as openssl writes it. */
    public static String pem(PublicKey key) {
        rawBase64Url(key);
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getEncoder().encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    @Override
    public String toString() {
        return "PinnedKeys" + keys.keySet();
    }
}
