package com.oviron.callidus.agent.selftest;

import com.google.gson.JsonObject;
import com.oviron.callidus.agent.subscription.PinnedKeys;
import com.oviron.callidus.agent.subscription.PrivateKeyPem;
import com.oviron.callidus.store.state.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.HexFormat;
import java.util.Set;
import org.tinylog.Logger;

/**
 * The unit's own Ed25519 key pair, made on the first start: it signs the self-test results, so that Oviron
 * can check from the public key alone that this unit passed on that day. Both keys live in one file,
 * {@code <store folder>/unit-key.pem} (mode 0600: a PKCS#8 {@code PRIVATE KEY} block followed by the
 * {@code PUBLIC KEY} block), written whole and renamed into place. The private key never leaves the file and
 * is never logged; the public key is published in the channel catalog and printed by the console.
 */
public final class UnitKey {
    public static final String FILE = "unit-key.pem";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;

    private UnitKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.keyId = keyId(publicKey);
    }

    /**
     * Reads the key file, or makes a new key pair when there is none. A damaged file (unreadable, keys that
     * do not belong together, a symbolic link) is moved aside and a new pair is made; the log says so.
     */
    public static UnitKey loadOrCreate(Path stateFolder) throws IOException {
        Path file = stateFolder.resolve(FILE);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            try {
                if (Files.isSymbolicLink(file)) {
                    throw new IllegalArgumentException("it is a symbolic link");
                }
                String text = Files.readString(file, StandardCharsets.US_ASCII);
                UnitKey key = new UnitKey(PrivateKeyPem.parse(text), PinnedKeys.parsePublicKey(publicBlock(text)));
                if (!key.pairs()) {
                    throw new IllegalArgumentException("the public key does not belong to the private key");
                }
                ownerOnly(file);
                return key;
            } catch (IllegalArgumentException e) {
                Path aside = file.resolveSibling(FILE + ".damaged-" + System.currentTimeMillis());
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                Logger.error("unit key file damaged, moved aside; a new unit key is made (its public key must be"
                        + " registered again) file={} movedTo={} error={}", file, aside, e.getMessage());
            }
        }
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException("this Java runtime cannot make Ed25519 keys: " + e.getMessage(), e);
        }
        UnitKey key = new UnitKey(pair.getPrivate(), pair.getPublic());
        // DurableFiles writes a temporary file created 0600, forced, then renamed over the target
        DurableFiles.replace(file, (PrivateKeyPem.pem(pair.getPrivate()) + PinnedKeys.pem(pair.getPublic()))
                .getBytes(StandardCharsets.US_ASCII));
        ownerOnly(file);
        Logger.info("unit key created kid={} file={}", key.keyId, file);
        return key;
    }

    /** Mode 0600; a file system without POSIX modes (not the unit's) is logged, not fatal. */
    private static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        } catch (UnsupportedOperationException e) {
            Logger.warn("unit key file mode not set (no POSIX file modes here) file={}", file);
        }
    }

    private static String publicBlock(String text) {
        int begin = text.indexOf("-----BEGIN PUBLIC KEY-----");
        int end = text.indexOf("-----END PUBLIC KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("no PUBLIC KEY block");
        }
        return text.substring(begin, end + "-----END PUBLIC KEY-----".length());
    }

    private boolean pairs() {
        byte[] probe = "callidus unit key check".getBytes(StandardCharsets.US_ASCII);
        return SelfTestJws.verifies(publicKey, probe, sign(probe));
    }

    /** The key id: the first 16 hex digits of the SHA-256 of the raw 32-byte public key. */
    public static String keyId(PublicKey key) {
        try {
            byte[] raw = com.oviron.callidus.agent.subscription.Base64Url.decode(PinnedKeys.rawBase64Url(key));
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(raw))
                    .substring(0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** An Ed25519 signature of {@code data} (the self-test result; the service record through access). */
    public byte[] sign(byte[] data) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
        }
    }

    public String keyId() {
        return keyId;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** {@code {"alg":"Ed25519","kid":..,"publicKey":<raw base64url>,"pem":..}} for commands and the catalog. */
    public JsonObject json() {
        JsonObject o = new JsonObject();
        o.addProperty("alg", "Ed25519");
        o.addProperty("kid", keyId);
        o.addProperty("publicKey", PinnedKeys.rawBase64Url(publicKey));
        o.addProperty("pem", PinnedKeys.pem(publicKey));
        return o;
    }

    @Override
    public String toString() {
        return "UnitKey[kid=" + keyId + "]";
    }
}
