package com.oviron.callidus.agent.media;

import com.oviron.callidus.cloud.files.UploadSource;
import com.oviron.callidus.store.folders.FolderGuard;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Random;

/**
 * Run in a child JVM whose heap is smaller than the image (XrayVaultBoundedHeapIT): stores a 20 MB image,
 * reads it back whole and from an offset, and delivers it; any of these holding the image in memory would
 * end in an OutOfMemoryError. Exits 0 only if every byte matched.
 */
public final class VaultHeapProbe {
    static final int SIZE = 20 * 1024 * 1024 + 12345;

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        Path plain = root.resolve("large.dcm");
        Random random = new Random(42);
        byte[] chunk = new byte[8192];
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(plain))) {
            for (int written = 0; written < SIZE; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, Math.min(chunk.length, SIZE - written));
            }
        }
        XrayVault vault = new XrayVault(XraySettings.defaults(root.resolve("vault"), root.resolve("viewer")),
                Clock.systemUTC(), FolderGuard.logOnly());
        XrayRecord record = vault.store(plain, "large.dcm", XrayRecord.Direction.OUT);
        String expected = sha256(Files.newInputStream(plain));
        check(expected.equals(record.sha256()), "record hash");
        UploadSource source = vault.uploadSource(record.id());
        check(expected.equals(sha256(source.openAt(0))), "whole read");
        long offset = 12_345_678;
        try (InputStream fromVault = new BufferedInputStream(source.openAt(offset));
             InputStream fromPlain = new BufferedInputStream(Files.newInputStream(plain))) {
            fromPlain.skipNBytes(offset);
            long compared = 0;
            int a;
            while ((a = fromPlain.read()) >= 0) {
                check(a == fromVault.read(), "byte at " + (offset + compared));
                compared++;
            }
            check(fromVault.read() < 0 && compared == SIZE - offset, "read from offset ends with the file");
        }
        Path shown = vault.deliverToViewer(record.id());
        check(expected.equals(sha256(Files.newInputStream(shown))), "viewer copy");
        System.out.println("OK maxHeap=" + Runtime.getRuntime().maxMemory());
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        try (InputStream s = new DigestInputStream(in, d)) {
            s.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            System.out.println("MISMATCH " + what);
            System.exit(3);
        }
    }
}
