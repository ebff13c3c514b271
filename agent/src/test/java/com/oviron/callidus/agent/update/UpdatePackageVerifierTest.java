package com.oviron.callidus.agent.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UpdatePackageVerifierTest {
    @TempDir
    static Path dir;
    static PackageFixtures fx;
    static Path good;
    static Path releaseB;

    InstalledRelease installed = new InstalledRelease(Version.parse("1.1.0"), 3);
    boolean allowed = true;
    long free = Long.MAX_VALUE;

    @BeforeAll
    static void fixtures() throws Exception {
        fx = new PackageFixtures(dir);
        good = fx.release("1.2.0", 3, "good");
        releaseB = fx.release("1.3.0", 4, "release-b");
    }

    UpdatePackageVerifier verifier() {
        return new UpdatePackageVerifier(fx.pinned(), Optional.of(PackageFixtures.HARDWARE), () -> installed,
                () -> allowed, () -> free, 10_000_000);
    }

    @Test
    void a_good_package_passes_every_check_in_order() throws Exception {
        List<String> passed = new ArrayList<>();
        VerifiedPackage p = verifier().verify(good, passed::add);
        assertEquals(List.of(UpdatePackageVerifier.CHECKS), passed);
        assertEquals("1.2.0", p.manifest().version().toString());
        assertEquals(3, p.manifest().securityVersion());
        assertEquals(List.of("callidus-agent.jar", "doc/notes.txt"),
                p.manifest().files().stream().map(ManifestFile::path).toList());
        assertEquals(PackageFixtures.KID, p.keyId());
    }

    /** One hostile change to a good package and the reason it must be rejected with. */
    record Case(String name, RejectReason reason, Mutation mutation) {
        @Override
        public String toString() {
            return name;
        }
    }

    interface Mutation {
        Path apply(UpdatePackageVerifierTest t) throws Exception;
    }

    static Path copyWith(String name, Path source, java.util.function.UnaryOperator<byte[]> change) throws Exception {
        Path out = dir.resolve(name + ".cup");
        Files.write(out, change.apply(Files.readAllBytes(source)));
        return out;
    }

    static Path flipAt(String name, long index) throws Exception {
        return copyWith(name, good, b -> {
            b[(int) index] ^= 0x01;
            return b;
        });
    }

    static byte[] jar = "jar bytes".getBytes(StandardCharsets.UTF_8);

    static Path signed(String name, String manifest, byte[]... payload) throws Exception {
        return fx.custom(name, manifest, fx.vendor, PackageFixtures.KID, payload);
    }

    static Stream<Case> hostile() {
        return Stream.of(
                new Case("not a package", RejectReason.MALFORMED, t -> copyWith("magic", good, b -> {
                    b[0] = 'X';
                    return b;
                })),
                new Case("empty file", RejectReason.MALFORMED, t -> copyWith("empty", good, b -> new byte[0])),
                new Case("cut inside the header", RejectReason.MALFORMED,
                        t -> copyWith("cut-header", good, b -> Arrays.copyOf(b, 40))),
                new Case("tampered manifest byte", RejectReason.BAD_SIGNATURE,
                        t -> flipAt("manifest-byte", PackageFixtures.payloadOffset(good) - 10)),
                new Case("tampered signature byte", RejectReason.BAD_SIGNATURE,
                        t -> flipAt("signature-byte", 5 + PackageFixtures.KID.length() + 3)),
                new Case("tampered payload byte", RejectReason.HASH_MISMATCH,
                        t -> flipAt("payload-byte", PackageFixtures.payloadOffset(good) + 100)),
                new Case("signature from another key", RejectReason.BAD_SIGNATURE,
                        t -> fx.custom("other-key", PackageFixtures.manifest("1.2.0", 3, jar), fx.other,
                                PackageFixtures.KID, jar)),
                new Case("unknown key id", RejectReason.UNKNOWN_KEY,
                        t -> fx.custom("unknown-kid", PackageFixtures.manifest("1.2.0", 3, jar), fx.vendor,
                                "someone-else", jar)),
                new Case("manifest of release A with payload of release B", RejectReason.HASH_MISMATCH,
                        t -> swapPayload()),
                new Case("wrong hardware", RejectReason.WRONG_HARDWARE, t -> signed("hw",
                        PackageFixtures.manifest("1.2.0", 3, jar).replace(PackageFixtures.HARDWARE, "callidus-v9"),
                        jar)),
                new Case("downgrade version", RejectReason.NOT_NEWER,
                        t -> signed("down", PackageFixtures.manifest("1.0.9", 3, jar), jar)),
                new Case("equal version", RejectReason.NOT_NEWER,
                        t -> signed("equal", PackageFixtures.manifest("1.1.0", 3, jar), jar)),
                new Case("lower security version", RejectReason.SECURITY_DOWNGRADE,
                        t -> signed("sv", PackageFixtures.manifest("1.2.0", 2, jar), jar)),
                new Case("truncated file", RejectReason.TRUNCATED,
                        t -> copyWith("truncated", good, b -> Arrays.copyOf(b, b.length - 1))),
                new Case("trailing data", RejectReason.TRAILING_DATA,
                        t -> copyWith("trailing", good, b -> Arrays.copyOf(b, b.length + 1))),
                new Case("oversized declared size", RejectReason.TOO_LARGE, t -> signed("oversized",
                        PackageFixtures.manifest("1.2.0", 3, jar).replace("\"size\":" + jar.length,
                                "\"size\":900000000000"), jar)),
                new Case("path traversal ../x", RejectReason.UNSAFE_PATH, t -> signed("dotdot",
                        PackageFixtures.manifest("1.2.0", 3, jar, PackageFixtures.file("../x", jar)), jar, jar)),
                new Case("absolute /etc/x", RejectReason.UNSAFE_PATH, t -> signed("absolute",
                        PackageFixtures.manifest("1.2.0", 3, jar, PackageFixtures.file("/etc/x", jar)), jar, jar)),
                new Case("a/../../x", RejectReason.UNSAFE_PATH, t -> signed("inner-dotdot",
                        PackageFixtures.manifest("1.2.0", 3, jar, PackageFixtures.file("a/../../x", jar)), jar, jar)),
                new Case("backslash", RejectReason.UNSAFE_PATH, t -> signed("backslash",
                        PackageFixtures.manifest("1.2.0", 3, jar, PackageFixtures.file("a\\\\x", jar)), jar, jar)),
                new Case("NUL in a path", RejectReason.UNSAFE_PATH, t -> signed("nul",
                        PackageFixtures.manifest("1.2.0", 3, jar, PackageFixtures.file("a\\u0000x", jar)), jar, jar)),
                new Case("hidden file", RejectReason.UNSAFE_PATH, t -> signed("hidden",
                        PackageFixtures.manifest("1.2.0", 3, jar, PackageFixtures.file(".slot", jar)), jar, jar)),
                new Case("duplicate paths", RejectReason.UNSAFE_PATH, t -> signed("duplicate",
                        PackageFixtures.manifest("1.2.0", 3, jar, PackageFixtures.file("callidus-agent.jar", jar)),
                        jar, jar)),
                new Case("a file that is also a folder", RejectReason.UNSAFE_PATH, t -> signed("file-folder",
                        PackageFixtures.manifest("1.2.0", 3, jar, PackageFixtures.file("lib", jar),
                                PackageFixtures.file("lib/x.jar", jar)), jar, jar, jar)),
                new Case("too many files", RejectReason.TOO_LARGE, t -> tooManyFiles()),
                new Case("no entry point", RejectReason.MANIFEST_INVALID, t -> signed("no-entry",
                        PackageFixtures.manifest("1.2.0", 3, jar).replace("callidus-agent.jar", "other.jar"), jar)),
                new Case("unknown manifest field", RejectReason.MANIFEST_INVALID, t -> signed("unknown-field",
                        PackageFixtures.manifest("1.2.0", 3, jar).replace("{\"format\"", "{\"x\":1,\"format\""), jar)),
                new Case("duplicate manifest key", RejectReason.MANIFEST_INVALID, t -> signed("dup-key",
                        PackageFixtures.manifest("1.2.0", 3, jar).replace("{\"format\"",
                                "{\"version\":\"9.9.9\",\"format\""), jar)),
                new Case("pre-release version", RejectReason.MANIFEST_INVALID,
                        t -> signed("pre", PackageFixtures.manifest("1.2.0-rc1", 3, jar), jar)),
                new Case("set-uid mode", RejectReason.MANIFEST_INVALID, t -> signed("suid",
                        PackageFixtures.manifest("1.2.0", 3, jar).replace("0644", "4755"), jar)),
                new Case("updates not allowed", RejectReason.NOT_ENTITLED, t -> {
                    t.allowed = false;
                    return good;
                }),
                new Case("no disk space", RejectReason.NO_SPACE, t -> {
                    t.free = 100;
                    return good;
                }));
    }

    static Path swapPayload() throws Exception {
        long aOffset = PackageFixtures.payloadOffset(good);
        long bOffset = PackageFixtures.payloadOffset(releaseB);
        byte[] a = Files.readAllBytes(good);
        byte[] b = Files.readAllBytes(releaseB);
        // same payload length: release B's jar and notes have the same sizes as A's (same text lengths)
        byte[] mixed = new byte[(int) aOffset + (b.length - (int) bOffset)];
        System.arraycopy(a, 0, mixed, 0, (int) aOffset);
        System.arraycopy(b, (int) bOffset, mixed, (int) aOffset, b.length - (int) bOffset);
        Path out = dir.resolve("swapped.cup");
        Files.write(out, mixed);
        return out;
    }

    static Path tooManyFiles() throws Exception {
        String[] extra = new String[Manifest.MAX_FILES];
        byte[][] payload = new byte[Manifest.MAX_FILES + 1][];
        payload[0] = jar;
        for (int i = 0; i < extra.length; i++) {
            extra[i] = PackageFixtures.file("f" + i, jar);
            payload[i + 1] = jar;
        }
        return signed("too-many", PackageFixtures.manifest("1.2.0", 3, jar, extra), payload);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void a_hostile_package_is_rejected_with_its_reason(Case c) throws Exception {
        Path pkg = c.mutation().apply(this);
        PackageRejectedException e = assertThrows(PackageRejectedException.class, () -> verifier().verify(pkg));
        assertEquals(c.reason(), e.reason(), e.getMessage());
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
        // the refused release is named once its manifest's signature verified, never before
        assertEquals(CHECKED_AFTER_THE_MANIFEST.contains(c.reason()), e.version().isPresent(),
                () -> c.reason() + " version=" + e.version());
    }

    /** The reasons of checks on a signed, parsed manifest: their rejection names the manifest's version. */
    static final java.util.Set<RejectReason> CHECKED_AFTER_THE_MANIFEST = java.util.EnumSet.of(
            RejectReason.WRONG_HARDWARE, RejectReason.NOT_NEWER, RejectReason.SECURITY_DOWNGRADE,
            RejectReason.NOT_ENTITLED, RejectReason.TRUNCATED, RejectReason.TRAILING_DATA, RejectReason.NO_SPACE,
            RejectReason.HASH_MISMATCH);

    @Test
    void a_rejection_after_the_manifest_verified_names_its_release() throws Exception {
        allowed = false;
        PackageRejectedException e = assertThrows(PackageRejectedException.class, () -> verifier().verify(good));
        assertEquals(RejectReason.NOT_ENTITLED, e.reason());
        assertEquals(Optional.of(Version.parse("1.2.0")), e.version());
        assertEquals(e.getMessage(), e.of(Version.parse("1.2.0")).getMessage());
    }

    @Test
    void a_missing_file_is_an_io_error() {
        PackageRejectedException e = assertThrows(PackageRejectedException.class,
                () -> verifier().verify(dir.resolve("nowhere.cup")));
        assertEquals(RejectReason.IO_ERROR, e.reason());
    }

    @Test
    void a_higher_security_version_than_the_floor_passes() throws Exception {
        installed = new InstalledRelease(Version.parse("1.0.0"), 1);
        assertEquals(4, verifier().verify(releaseB).manifest().securityVersion());
    }

    @Test
    void pinned_keys_accept_pem_and_refuse_other_algorithms() throws Exception {
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(fx.vendor.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        PinnedKeys keys = PinnedKeys.of(Map.of(PackageFixtures.KID, pem));
        assertEquals(fx.vendor.getPublic(), keys.get(PackageFixtures.KID).orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> PinnedKeys.of(Map.of("k", "AAAA")));
        java.security.KeyPair ec = java.security.KeyPairGenerator.getInstance("EC").generateKeyPair();
        String ecPem = "-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getEncoder().encodeToString(ec.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----";
        assertThrows(IllegalArgumentException.class, () -> PinnedKeys.of(Map.of("k", ecPem)));
        assertThrows(IllegalArgumentException.class, () -> PinnedKeys.of(Map.of()));
    }

    @Test
    void versions_compare_numerically() {
        assertTrue(Version.parse("1.10.0").compareTo(Version.parse("1.9.9")) > 0);
        assertEquals(0, Version.parse("2.0.0").compareTo(new Version(2, 0, 0)));
        assertThrows(IllegalArgumentException.class, () -> Version.parse("01.2.3"));
        assertThrows(IllegalArgumentException.class, () -> Version.parse("1.2"));
    }
}
