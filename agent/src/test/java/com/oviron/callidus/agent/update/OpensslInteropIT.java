package com.oviron.callidus.agent.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Packages signed by an independent tool verify: the manifest is signed with {@code openssl pkeyutl -sign
 * -rawin} using an Ed25519 key made by {@code openssl genpkey}, and the unit's verifier accepts it with the
 * public key pinned as PEM or as raw base64url; a package built by our builder verifies with openssl.
 */
class OpensslInteropIT {
    @TempDir
    Path dir;
    Path privatePem;
    Path publicPem;
    Path jar;
    Manifest manifest;
    Path manifestFile;

    static String run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    @BeforeEach
    void setUp() throws Exception {
        privatePem = dir.resolve("vendor.pem");
        publicPem = dir.resolve("vendor.pub.pem");
        run(dir, "openssl", "genpkey", "-algorithm", "ed25519", "-out", privatePem.toString());
        run(dir, "openssl", "pkey", "-in", privatePem.toString(), "-pubout", "-out", publicPem.toString());
        jar = Files.writeString(dir.resolve("callidus-agent.jar"), "jar built elsewhere");
        manifest = new Manifest(Version.parse("2.0.0"), 7, List.of("callidus-v1"), Instant.parse("2026-11-22T00:00:00Z"),
                List.of(new ManifestFile("callidus-agent.jar", Files.size(jar), UpdatePackageBuilder.sha256Hex(jar),
                        "0644")));
        manifestFile = Files.write(dir.resolve("manifest.json"), manifest.toJsonBytes());
    }

    Path opensslSigned(byte[] manifestBytes, String name) throws Exception {
        Path m = Files.write(dir.resolve(name + ".json"), manifestBytes);
        Path sig = dir.resolve(name + ".sig");
        run(dir, "openssl", "pkeyutl", "-sign", "-inkey", privatePem.toString(), "-rawin", "-in", m.toString(),
                "-out", sig.toString());
        byte[] signature = Files.readAllBytes(sig);
        assertEquals(64, signature.length);
        Path pkg = dir.resolve(name + ".cup");
        UpdatePackageBuilder.write(pkg, "ossl-1", signature, manifestBytes, List.of(jar));
        return pkg;
    }

    UpdatePackageVerifier verifier(String pinned) {
        return new UpdatePackageVerifier(PinnedKeys.of(Map.of("ossl-1", pinned)), Optional.of("callidus-v1"),
                () -> new InstalledRelease(Version.parse("1.0.0"), 0), () -> true, () -> Long.MAX_VALUE, 1_000_000);
    }

    String rawPublic() throws Exception {
        Path der = dir.resolve("vendor.pub.der");
        run(dir, "openssl", "pkey", "-pubin", "-in", publicPem.toString(), "-outform", "DER", "-out", der.toString());
        byte[] spki = Files.readAllBytes(der);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOfRange(spki, spki.length - 32,
                spki.length));
    }

    @Test
    void a_manifest_signed_by_openssl_verifies_with_the_key_pinned_as_pem_or_raw() throws Exception {
        Path pkg = opensslSigned(manifest.toJsonBytes(), "good");
        assertEquals("2.0.0", verifier(Files.readString(publicPem)).verify(pkg).manifest().version().toString());
        assertEquals(7, verifier(rawPublic()).verify(pkg).manifest().securityVersion());
    }

    @Test
    void an_openssl_signature_over_other_bytes_is_refused() throws Exception {
        Path pkg = opensslSigned(manifest.toJsonBytes(), "good");
        byte[] bytes = Files.readAllBytes(pkg);
        byte[] m = manifest.toJsonBytes();
        int at = indexOf(bytes, m) + new String(m, StandardCharsets.UTF_8).indexOf("\"securityVersion\":7") + 18;
        bytes[at] = '9'; // security version 7 -> 9 after signing
        Path tampered = Files.write(dir.resolve("tampered.cup"), bytes);
        PackageRejectedException e = assertThrows(PackageRejectedException.class,
                () -> verifier(Files.readString(publicPem)).verify(tampered));
        assertEquals(RejectReason.BAD_SIGNATURE, e.reason());
    }

    @Test
    void a_package_built_by_the_builder_verifies_with_openssl() throws Exception {
        java.security.KeyPair pair = PackageFixtures.generate();
        Path pkg = dir.resolve("java.cup");
        Manifest built = new UpdatePackageBuilder().add("callidus-agent.jar", jar, false).build(Version.parse("2.0.0"), 7,
                List.of("callidus-v1"), Instant.parse("2026-11-22T00:00:00Z"), "java-1", pair.getPrivate(), pkg);
        PackageHeader header;
        try (var c = java.nio.channels.FileChannel.open(pkg)) {
            header = PackageHeader.read(c);
        }
        assertEquals(List.of("callidus-agent.jar"), built.files().stream().map(ManifestFile::path).toList());
        Path m = Files.write(dir.resolve("java-manifest.json"), header.manifestBytes());
        Path sig = Files.write(dir.resolve("java.sig"), header.signature());
        Path pub = Files.writeString(dir.resolve("java.pub.pem"), "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(pair.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        String out = run(dir, "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub.toString(), "-rawin", "-in",
                m.toString(), "-sigfile", sig.toString());
        assertTrue(out.contains("Signature Verified Successfully"), out);
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
