package com.oviron.callidus.agent.update;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Keys and packages for the update tests: a vendor key pair, a second "other" key, builders for releases. */
final class PackageFixtures {
    static final String KID = "vendor-2026";
    static final String HARDWARE = "callidus-v1";
    static final Instant CREATED = Instant.parse("2026-11-22T02:00:00Z");
    final KeyPair vendor = generate();
    final KeyPair other = generate();
    final Path dir;

    PackageFixtures(Path dir) {
        this.dir = dir;
    }

    static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** The raw 32-byte public key in base64url, as the unit's configuration pins it. */
    static String rawPublic(KeyPair pair) {
        byte[] spki = pair.getPublic().getEncoded();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOfRange(spki, spki.length - 32,
                spki.length));
    }

    PinnedKeys pinned() {
        return PinnedKeys.of(Map.of(KID, rawPublic(vendor)));
    }

    /** A release with a jar and a second file, contents depending on the version. */
    Path release(String version, long securityVersion, String name) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src-" + name));
        Path jar = src.resolve("callidus-agent.jar");
        Files.writeString(jar, "agent jar of " + version + " " + "x".repeat(5000));
        Path conf = src.resolve("notes.txt");
        Files.writeString(conf, "release notes " + version);
        Path out = dir.resolve(name + ".cup");
        new UpdatePackageBuilder().add("callidus-agent.jar", jar, false).add("doc/notes.txt", conf, false)
                .build(Version.parse(version), securityVersion, List.of(HARDWARE, "callidus-v1b"), CREATED, KID,
                        vendor.getPrivate(), out);
        return out;
    }

    /** A package with the given manifest JSON and payload files, signed by {@code signer}. */
    Path custom(String name, String manifestJson, KeyPair signer, String kid, byte[]... payload) throws Exception {
        byte[] manifest = manifestJson.getBytes(StandardCharsets.UTF_8);
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(signer.getPrivate());
        s.update(manifest);
        List<Path> parts = new java.util.ArrayList<>();
        for (int i = 0; i < payload.length; i++) {
            Path p = dir.resolve(name + ".part" + i);
            Files.write(p, payload[i]);
            parts.add(p);
        }
        Path out = dir.resolve(name + ".cup");
        UpdatePackageBuilder.write(out, kid, s.sign(), manifest, parts);
        return out;
    }

    static String sha256(byte[] data) throws GeneralSecurityException {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** A manifest JSON with one entry point file plus {@code extraFiles} (already JSON objects). */
    static String manifest(String version, long sv, byte[] jar, String... extraFiles) throws GeneralSecurityException {
        StringBuilder files = new StringBuilder("{\"path\":\"callidus-agent.jar\",\"size\":" + jar.length
                + ",\"sha256\":\"" + sha256(jar) + "\",\"mode\":\"0644\"}");
        for (String f : extraFiles) {
            files.append(',').append(f);
        }
        return "{\"format\":\"callidus-update/1\",\"version\":\"" + version + "\",\"securityVersion\":" + sv
                + ",\"hardware\":[\"" + HARDWARE + "\"],\"created\":\"2026-11-22T02:00:00Z\",\"files\":[" + files
                + "]}";
    }

    static String file(String path, byte[] data) throws GeneralSecurityException {
        return "{\"path\":\"" + path + "\",\"size\":" + data.length + ",\"sha256\":\"" + sha256(data)
                + "\",\"mode\":\"0644\"}";
    }

    /** Index of the first payload byte in a package file. */
    static long payloadOffset(Path pkg) throws IOException, PackageRejectedException {
        try (var c = java.nio.channels.FileChannel.open(pkg)) {
            return PackageHeader.read(c).payloadOffset();
        }
    }
}
