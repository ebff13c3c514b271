package com.oviron.callidus.agent.access;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The unit PIN as it is stored: a salted slow hash with the JDK's PBKDF2-HMAC-SHA256 (RFC 8018), never the
 * PIN. Encoded as {@code pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>}; the iteration count travels
 * with the hash, so raising the cost later keeps old hashes verifiable (a PIN is re-hashed at the next change).
 *
 * @param iterations PBKDF2 iterations, {@value #MIN_ITERATIONS} to {@value #MAX_ITERATIONS}
 * @param salt       16 random bytes
 * @param hash       32 bytes of derived key
 */
public record PinHash(int iterations, byte[] salt, byte[] hash) {
    /** The cost of a new hash: OWASP's 2023 figure for PBKDF2-HMAC-SHA256 (about 0.5 s on the controller). */
    public static final int DEFAULT_ITERATIONS = 600_000;
    public static final int MIN_ITERATIONS = 10_000;
    public static final int MAX_ITERATIONS = 10_000_000;
    /** A PIN is 6 to 12 digits. */
    public static final Pattern FORMAT = Pattern.compile("[0-9]{6,12}");
    private static final String PREFIX = "pbkdf2-sha256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    public PinHash {
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("PBKDF2 iterations must be " + MIN_ITERATIONS + " to " + MAX_ITERATIONS
                    + ", got " + iterations);
        }
        Objects.requireNonNull(salt, "salt");
        Objects.requireNonNull(hash, "hash");
        if (salt.length != SALT_BYTES || hash.length != HASH_BYTES) {
            throw new IllegalArgumentException("a PIN hash has a 16-byte salt and a 32-byte hash");
        }
        salt = salt.clone();
        hash = hash.clone();
    }

    /** Whether {@code pin} has the PIN's shape (6 to 12 digits). */
    public static boolean wellFormed(CharSequence pin) {
        return FORMAT.matcher(pin).matches();
    }

    /** Hashes a new PIN with a fresh random salt. */
    public static PinHash of(char[] pin, int iterations) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new PinHash(iterations, salt, derive(pin, salt, iterations));
    }

    /** Whether {@code pin} is the PIN this hash was made from (compared in constant time). */
    public boolean matches(char[] pin) {
        return MessageDigest.isEqual(hash, derive(pin, salt, iterations));
    }

    /** The stored form. */
    public String encode() {
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return PREFIX + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    /**
     * Reads the stored form.
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static PinHash decode(String text) {
        String[] parts = text.split("\\$", -1);
        if (parts.length != 4 || !parts[0].equals(PREFIX)) {
            throw new IllegalArgumentException("not a " + PREFIX + " PIN hash");
        }
        try {
            return new PinHash(Integer.parseInt(parts[1]), Base64.getDecoder().decode(parts[2]),
                    Base64.getDecoder().decode(parts[3]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the PIN hash's iteration count is not a number");
        }
    }

    private static byte[] derive(char[] pin, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(pin, salt, iterations, HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no PBKDF2WithHmacSHA256", e);
        } finally {
            spec.clearPassword();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PinHash p && p.iterations == iterations && Arrays.equals(p.salt, salt)
                && Arrays.equals(p.hash, hash);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hash);
    }

    /** Never the hash or the salt: this may end up in a log. */
    @Override
    public String toString() {
        return "PinHash[pbkdf2-sha256, " + iterations + " iterations]";
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }
}
