package com.oviron.callidus.tools.vendor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vendor tool and openssl use each other's keys: an openssl key builds a package, a keygen key signs with openssl. */
class PackageCommandOpensslIT {
    @TempDir
    Path dir;

    static String openssl(Path dir, String... args) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("openssl"));
        command.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    int tool(ByteArrayOutputStream out, String... args) {
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        return PackageCommand.run(args, o, o);
    }

    @Test
    void an_openssl_key_builds_a_package_that_verifies_with_its_openssl_public_key() throws Exception {
        openssl(dir, "genpkey", "-algorithm", "ed25519", "-out", "k.pem");
        openssl(dir, "pkey", "-in", "k.pem", "-pubout", "-out", "k.pub.pem");
        Path jar = Files.writeString(dir.resolve("agent.jar"), "agent");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, tool(out, "build", "--key", dir.resolve("k.pem").toString(), "--kid", "ossl", "--version",
                "1.0.1", "--security-version", "0", "--hardware", "callidus-v1", "--file", jar + "=callidus-agent.jar",
                "--out", dir.resolve("p.cup").toString()), out.toString());
        assertEquals(0, tool(out, "verify", "--pubkey", dir.resolve("k.pub.pem").toString(), "--hardware",
                "callidus-v1", dir.resolve("p.cup").toString()), out.toString());
        assertTrue(out.toString().contains("package ok"));
    }

    @Test
    void a_keygen_key_signs_with_openssl() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, tool(out, "keygen", "--out", dir.toString(), "--kid", "v1"), out.toString());
        Path data = Files.writeString(dir.resolve("data"), "signed by openssl with our key");
        openssl(dir, "pkeyutl", "-sign", "-inkey", "v1.pem", "-rawin", "-in", "data", "-out", "data.sig");
        String verified = openssl(dir, "pkeyutl", "-verify", "-pubin", "-inkey", "v1.pub.pem", "-rawin", "-in",
                data.toString(), "-sigfile", "data.sig");
        assertTrue(verified.contains("Signature Verified Successfully"), verified);
    }
}
