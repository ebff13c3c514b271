package com.oviron.callidus.agent.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.tinylog.Logger;

/**
 * The vault's AES-256 key, from a file of 32 random bytes made on first use with owner-only permissions.
 * Its id (first 8 bytes of a labelled SHA-256 of the key) goes into every vault file, so a file made with
 * another key is refused by name instead of failing as "tampered". The key itself is never logged.
 */
final class VaultKey {
    static final int KEY_BYTES = 32;
    static final int ID_BYTES = 8;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final SecretKey key;
    private final byte[] id;

    private VaultKey(byte[] raw) {
        this.key = new SecretKeySpec(raw, "AES");
        MessageDigest d = Sha256.newDigest();
        d.update("callidus-xray-vault-key-id:".getBytes(StandardCharsets.US_ASCII));
        d.update(raw);
        this.id = Arrays.copyOf(d.digest(), ID_BYTES);
        Arrays.fill(raw, (byte) 0);
    }

    SecretKey key() {
        return key;
    }

    byte[] id() {
        return id.clone();
    }

    String idHex() {
        return HexFormat.of().formatHex(id);
    }

    static VaultKey loadOrCreate(Path file, DurableFiles files) throws XrayVaultException {
        try {
            Path folder = file.toAbsolutePath().getParent();
            Files.createDirectories(folder);
            if (!Files.exists(file)) {
                create(file, folder, files);
            }
            tightenPermissions(file);
            long size = Files.size(file);
            if (size != KEY_BYTES) {
                throw new XrayVaultException("x-ray key file " + file + " is damaged: " + size + " bytes, expected "
                        + KEY_BYTES + "; vault files cannot be read without the original key");
            }
            VaultKey key = new VaultKey(Files.readAllBytes(file));
            Logger.info("x-ray vault key loaded file={} keyId={}", file, key.idHex());
            return key;
        } catch (IOException e) {
            throw new XrayVaultException("x-ray key file " + file + " cannot be read or created: " + e.getMessage(),
                    e);
        }
    }

    private static void create(Path file, Path folder, DurableFiles files) throws IOException {
        byte[] raw = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(raw);
        Path tmp = folder.resolve("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        FileAttribute<?>[] attrs = posix(folder)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)} : new FileAttribute<?>[0];
        try (FileChannel out = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                attrs)) {
            out.write(ByteBuffer.wrap(raw));
            out.force(true);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
        files.rename(tmp, file);
        files.syncFolder(folder);
        Logger.info("x-ray vault key created file={}", file);
    }

    private static void tightenPermissions(Path file) throws IOException {
        if (!posix(file)) {
            return;
        }
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(file);
        if (!OWNER_ONLY.containsAll(now)) {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
            Logger.warn("x-ray key file was readable by others, now owner-only file={} was={}", file,
                    PosixFilePermissions.toString(now));
        }
    }

    private static boolean posix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
