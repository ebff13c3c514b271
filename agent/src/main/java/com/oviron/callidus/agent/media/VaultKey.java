package com.oviron.callidus.agent.media;

import com.oviron.callidus.store.folders.ConfinedFolder;
import com.oviron.callidus.store.folders.FolderGuard;
import com.oviron.callidus.store.folders.PermissionCheck;
import com.oviron.callidus.store.folders.ProcessUser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.tinylog.Logger;

/**
 * The vault's AES-256 key, from a file of 32 random bytes made on first use with owner-only permissions.
 * Its id (first 8 bytes of a labelled SHA-256 of the key) goes into every vault file, so a file made with
 * another key is refused by name instead of failing as "tampered". The key itself is never logged. A key file
 * with unsafe ownership or permissions is refused, never "repaired": it may have been read already.
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

    /**
     * Loads the key, or makes it (owner-only from the start) when there is none. A key file that others can
     * read, that the group can write, or that belongs to another user is refused (docs/security.md): it may
     * have been read or replaced.
     */
    static VaultKey loadOrCreate(Path file, FolderGuard guard, DurableFiles files) throws XrayVaultException {
        Path absolute = file.toAbsolutePath().normalize();
        ConfinedFolder folder = ConfinedFolder.of(absolute.getParent(), "agent state", guard);
        String name = absolute.getFileName().toString();
        try {
            folder.create();
            if (folder.entry(name).isEmpty()) {
                create(folder, name, files);
            }
            List<String> problems = new PermissionCheck(ProcessUser.current())
                    .check(absolute, PermissionCheck.Kind.SECRET, "X-ray vault key").problems();
            if (!problems.isEmpty()) {
                throw new XrayVaultException(String.join("; ", problems));
            }
            VaultKey key;
            try (ConfinedFolder.OpenFile f = folder.open(name, Long.MAX_VALUE)) {
                long size = f.entry().size();
                if (size != KEY_BYTES) {
                    throw new XrayVaultException("x-ray key file " + absolute + " is damaged: " + size
                            + " bytes, expected " + KEY_BYTES + "; vault files cannot be read without the original"
                            + " key");
                }
                key = new VaultKey(f.readAll(KEY_BYTES));
            }
            Logger.info("x-ray vault key loaded file={} keyId={}", absolute, key.idHex());
            return key;
        } catch (IOException e) {
            throw new XrayVaultException("x-ray key file " + absolute + " cannot be read or created: "
                    + e.getMessage(), e);
        }
    }

    private static void create(ConfinedFolder folder, String name, DurableFiles files) throws IOException {
        byte[] raw = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(raw);
        String tmp = "." + name + ".tmp";
        folder.delete(tmp);
        try {
            folder.writeNew(tmp, new ByteArrayInputStream(raw), posix(folder.root())
                    ? Optional.of(OWNER_ONLY) : Optional.empty());
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
        files.rename(folder, tmp, name);
        files.syncFolder(folder);
        Logger.info("x-ray vault key created file={}", folder.pathOf(name));
    }

    private static boolean posix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
