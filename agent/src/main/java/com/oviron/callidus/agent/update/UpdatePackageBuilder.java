package com.oviron.callidus.agent.update;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds and signs an update package (the vendor side; used by {@code tools package build} and by tests).
 * The output is written to a temporary file beside it and renamed into place when complete.
 */
public final class UpdatePackageBuilder {
    private final Map<String, Path> files = new LinkedHashMap<>();
    private final Map<String, String> modes = new LinkedHashMap<>();

    /** Adds {@code source} as {@code path} inside the slot, mode 0755 for executables else 0644. */
    public UpdatePackageBuilder add(String path, Path source, boolean executable) {
        if (files.putIfAbsent(path, source) != null) {
            throw new IllegalArgumentException("path '" + path + "' added twice");
        }
        modes.put(path, executable ? "0755" : "0644");
        return this;
    }

    /** Hashes the files, signs the manifest and writes the package; returns the manifest. */
    public Manifest build(Version version, long securityVersion, List<String> hardware, Instant created,
                          String keyId, PrivateKey signingKey, Path out) throws IOException, GeneralSecurityException {
        List<ManifestFile> entries = new ArrayList<>();
        for (Map.Entry<String, Path> e : files.entrySet()) {
            entries.add(new ManifestFile(e.getKey(), Files.size(e.getValue()), sha256Hex(e.getValue()),
                    modes.get(e.getKey())));
        }
        Manifest manifest = new Manifest(version, securityVersion, hardware, created, entries);
        byte[] manifestBytes = manifest.toJsonBytes();
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(signingKey);
        s.update(manifestBytes);
        byte[] signature = s.sign();
        write(out, keyId, signature, manifestBytes, new ArrayList<>(files.values()));
        return manifest;
    }

    /** Writes a package from parts as given (tests use this to make hostile packages). */
    public static void write(Path out, String keyId, byte[] signature, byte[] manifestBytes, List<Path> payload)
            throws IOException {
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp))) {
            PackageHeader.write(o, keyId, signature, manifestBytes);
            for (Path p : payload) {
                try (InputStream in = Files.newInputStream(p)) {
                    in.transferTo(o);
                }
            }
        }
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String sha256Hex(Path file) throws IOException {
        MessageDigest d = UpdatePackageVerifier.sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = new byte[64 * 1024];
            for (int n; (n = in.read(b)) > 0; ) {
                d.update(b, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
