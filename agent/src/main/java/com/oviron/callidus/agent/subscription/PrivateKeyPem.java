package com.oviron.callidus.agent.subscription;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Ed25519 private key as a PKCS#8 PEM block ({@code PRIVATE KEY}), the form {@code openssl genpkey
 * -algorithm ed25519} writes: the one place that reads and writes it (the vendor's signing keys in
 * {@code tools}, the unit's own self-test key). Public keys: {@link PinnedKeys#parsePublicKey}.
 */
public final class PrivateKeyPem {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private PrivateKeyPem() {
    }

    /**
     * Reads the first {@code PRIVATE KEY} block of {@code text} (other blocks around it are ignored).
     *
     * @throws IllegalArgumentException when there is none or it is not an Ed25519 key
     */
    public static PrivateKey parse(String text) {
        Objects.requireNonNull(text, "text");
        Matcher m = PEM.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("not a PEM PRIVATE KEY (PKCS#8)");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(m.group(1).replaceAll("\\s", ""));
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not an Ed25519 private key: " + e.getMessage(), e);
        }
    }

    /** The key as a PEM {@code PRIVATE KEY} block (64 characters a line). */
    public static String pem(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    }
}
