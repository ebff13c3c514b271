package com.oviron.callidus.tools.vendor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageCommandTest {
    @TempDir
    Path dir;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path jar;
    Path script;

    @BeforeEach
    void setUp() throws Exception {
        jar = Files.writeString(dir.resolve("agent.jar"), "the agent");
        script = Files.writeString(dir.resolve("helper.sh"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    int run(String... args) {
        out.reset();
        err.reset();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals("package", args[0]);
        return PackageCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), o, e);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    Path keygenAndBuild(String version) {
        assertEquals(0, run("package", "keygen", "--out", dir.resolve("keys").toString(), "--kid", "vendor-1"), err());
        Path pkg = dir.resolve("pkg-" + version + ".cup");
        assertEquals(0, run("package", "build", "--key", dir.resolve("keys/vendor-1.pem").toString(), "--kid",
                "vendor-1", "--version", version, "--security-version", "3", "--hardware", "callidus-v1",
                "--file", jar + "=callidus-agent.jar", "--file", script + "=bin/helper.sh", "--out", pkg.toString()),
                err());
        return pkg;
    }

    @Test
    void keygen_build_verify_round_trip_prints_every_check_and_the_manifest() throws Exception {
        Path pkg = keygenAndBuild("1.2.0");
        assertTrue(out().contains("version 1.2.0, security version 3, 2 files"), out());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                dir.resolve("keys/vendor-1.pem"))));
        assertEquals(0, run("package", "verify", "--pubkey", dir.resolve("keys/vendor-1.pub.pem").toString(),
                "--hardware", "callidus-v1", pkg.toString()), out() + err());
        for (String check : com.oviron.callidus.agent.update.UpdatePackageVerifier.CHECKS) {
            assertTrue(out().contains("check " + check + ": ok"), out());
        }
        assertTrue(out().contains("file: bin/helper.sh 10 bytes mode 0755"), out());
        assertTrue(out().contains("file: callidus-agent.jar 9 bytes mode 0644"), out());
        assertTrue(out().contains("package ok"), out());
    }

    @Test
    void verify_reports_the_failing_check_and_exits_1() throws Exception {
        Path pkg = keygenAndBuild("1.2.0");
        assertEquals(1, run("package", "verify", "--pubkey", dir.resolve("keys/vendor-1.pub.pem").toString(),
                "--hardware", "callidus-v2", pkg.toString()));
        assertTrue(out().contains("check hardware: FAILED wrong-hardware"), out());
        assertEquals(1, run("package", "verify", "--pubkey", dir.resolve("keys/vendor-1.pub.pem").toString(),
                "--installed-version", "1.2.0", pkg.toString()));
        assertTrue(out().contains("check version: FAILED not-newer"), out());
        byte[] b = Files.readAllBytes(pkg);
        b[b.length - 1] ^= 1;
        Path tampered = Files.write(dir.resolve("tampered.cup"), b);
        assertEquals(1, run("package", "verify", "--pubkey", dir.resolve("keys/vendor-1.pub.pem").toString(),
                tampered.toString()));
        assertTrue(out().contains("check hashes: FAILED hash-mismatch"), out());
        Path other = dir.resolve("other");
        assertEquals(0, run("package", "keygen", "--out", other.toString(), "--kid", "vendor-1"));
        assertEquals(1, run("package", "verify", "--pubkey", other.resolve("vendor-1.pub.pem").toString(),
                pkg.toString()));
        assertTrue(out().contains("check signature: FAILED bad-signature"), out());
        Path junk = Files.writeString(dir.resolve("junk.cup"), "junk");
        assertEquals(1, run("package", "verify", "--pubkey", other.resolve("vendor-1.pub.pem").toString(),
                junk.toString()));
        assertTrue(out().contains("check structure: FAILED malformed"), out());
    }

    @Test
    void usage_errors_exit_2_with_a_reason() throws Exception {
        assertEquals(2, run("package", "frobnicate"));
        assertTrue(err().contains("unknown subcommand"), err());
        assertEquals(2, run("package", "build", "--kid", "k"));
        assertTrue(err().contains("--key is required") || err().contains("unknown option"), err());
        keygenAndBuild("1.0.0");
        String key = dir.resolve("keys/vendor-1.pem").toString();
        assertEquals(2, run("package", "build", "--key", key, "--kid", "vendor-1", "--version", "1.0.0",
                "--security-version", "1", "--hardware", "callidus-v1", "--file", "nothing", "--out", "x.cup"));
        assertTrue(err().contains("<source>=<path in slot>"), err());
        assertEquals(2, run("package", "build", "--key", key, "--kid", "vendor-1", "--version", "1.0.0",
                "--security-version", "1", "--hardware", "callidus-v1", "--file", jar + "=other.jar", "--out",
                dir.resolve("x.cup").toString()));
        assertTrue(err().contains("callidus-agent.jar"), err());
        assertEquals(2, run("package", "build", "--key", key, "--kid", "vendor-1", "--version", "1.0.0",
                "--security-version", "1", "--hardware", "callidus-v1", "--file", jar + "=../x.jar", "--out",
                dir.resolve("x.cup").toString()));
        assertTrue(err().contains("'..'"), err());
        assertEquals(2, run("package", "build", "--key", jar.toString(), "--kid", "vendor-1", "--version", "1.0.0",
                "--security-version", "1", "--hardware", "callidus-v1", "--file", jar + "=callidus-agent.jar",
                "--out", dir.resolve("x.cup").toString()));
        assertTrue(err().contains("is not a PEM PRIVATE KEY (PKCS#8)"), err());
        assertEquals(2, run("package", "keygen", "--out", dir.resolve("keys").toString(), "--kid", "vendor-1"));
        assertTrue(err().contains("not overwriting"), err());
        assertTrue(Files.notExists(dir.resolve("x.cup")));
    }
}
