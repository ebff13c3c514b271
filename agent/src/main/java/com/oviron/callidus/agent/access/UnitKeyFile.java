package com.oviron.callidus.agent.access;

import com.oviron.callidus.agent.subscription.PinnedKeys;
import com.oviron.callidus.store.state.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tinylog.Logger;

/**
 * The unit's own Ed25519 key pair, made on the first start, in {@code <store folder>/unit-key.pem} (mode 0600:
 * a PKCS#8 {@code PRIVATE KEY} block, then the {@code PUBLIC KEY} block), written whole and renamed into place.
 * It signs service records; the private key never leaves the file and is never logged or printed. A damaged
 * file (unreadable, keys that do not belong together, a symbolic link) is moved aside and a new pair is made.
 *
 * <p>The same file and format as the self-test's unit key (issue 13), so that both sign with one key; when that
 * class is in the codebase this one goes.
 */
public final class UnitKeyFile implements RecordSigner {
    public static final String FILE = "unit-key.pem";
    private static final Pattern PRIVATE = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final Pattern PUBLIC = Pattern.compile(
            "-----BEGIN PUBLIC KEY-----[A-Za-z0-9+/=\\s]+-----END PUBLIC KEY-----");

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;

    private UnitKeyFile(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.keyId = RecordSigner.keyId(publicKey);
    }

    /** Reads the key file in {@code stateFolder}, or makes a new key pair there when there is none. */
    public static UnitKeyFile loadOrCreate(Path stateFolder) throws IOException {
        Path file = stateFolder.resolve(FILE);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            try {
                if (Files.isSymbolicLink(file)) {
                    throw new IllegalArgumentException("it is a symbolic link");
                }
                String text = Files.readString(file, StandardCharsets.US_ASCII);
                Matcher priv = PRIVATE.matcher(text);
                Matcher pub = PUBLIC.matcher(text);
                if (!priv.find() || !pub.find()) {
                    throw new IllegalArgumentException("no PRIVATE KEY and PUBLIC KEY blocks");
                }
                PrivateKey p = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(
                        Base64.getMimeDecoder().decode(priv.group(1).replaceAll("\\s", ""))));
                UnitKeyFile key = new UnitKeyFile(p, PinnedKeys.parsePublicKey(pub.group()));
                if (!key.pairs()) {
                    throw new IllegalArgumentException("the public key does not belong to the private key");
                }
                return key;
            } catch (IllegalArgumentException | GeneralSecurityException e) {
                Path aside = file.resolveSibling(FILE + ".damaged-" + System.currentTimeMillis());
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
                Logger.error("unit key file damaged, moved aside; a new unit key is made file={} movedTo={} error={}",
                        file, aside, e.getMessage());
            }
        }
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException("this Java runtime cannot make Ed25519 keys: " + e.getMessage(), e);
        }
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n"
                + PinnedKeys.pem(pair.getPublic());
        DurableFiles.replace(file, pem.getBytes(StandardCharsets.US_ASCII));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        UnitKeyFile key = new UnitKeyFile(pair.getPrivate(), pair.getPublic());
        Logger.info("unit key created kid={} file={}", key.keyId, file);
        return key;
    }

    private boolean pairs() {
        byte[] probe = "callidus unit key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature v = Signature.getInstance("Ed25519");
            v.initVerify(publicKey);
            v.update(probe);
            return v.verify(sign(probe));
        } catch (GeneralSecurityException | IllegalStateException e) {
            return false;
        }
    }

    @Override
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

    @Override
    public String keyId() {
        return keyId;
    }

    @Override
    public PublicKey publicKey() {
        return publicKey;
    }

    @Override
    public String toString() {
        return "UnitKeyFile[kid=" + keyId + "]";
    }
}
