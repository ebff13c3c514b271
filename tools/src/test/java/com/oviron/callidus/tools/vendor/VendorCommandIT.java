package com.oviron.callidus.tools.vendor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.agent.subscription.PinnedKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vendor command and openssl use each other's keys. Needs openssl 3.x on the PATH. */
class VendorCommandIT {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int vendor(String... args) {
        out.reset();
        err.reset();
        return VendorCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC));
    }

    private String openssl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + output);
        return output;
    }

    @Test
    void a_key_made_by_openssl_signs_tokens_that_verify() throws Exception {
        openssl("genpkey", "-algorithm", "ed25519", "-out", "ossl.pem");
        openssl("pkey", "-in", "ossl.pem", "-pubout", "-out", "ossl.pub.pem");
        assertEquals(0, vendor("token", "sign", "--key", dir.resolve("ossl.pem").toString(), "--kid", "ossl",
                "--serial", "CAL-1", "--purchase", "2025-08-01", "--paid-until-sm", "none", "--token-serial", "1"),
                err.toString());
        String token = out.toString(StandardCharsets.UTF_8).strip();
        assertEquals(0, vendor("token", "verify", "--pubkey", dir.resolve("ossl.pub.pem").toString(), "--serial",
                "CAL-1", token), err.toString());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("service manager active"));
    }

    @Test
    void openssl_reads_the_keys_keygen_writes() throws Exception {
        assertEquals(0, vendor("keygen", "--out", dir.toString(), "--kid", "k1"), err.toString());
        String pub = openssl("pkey", "-in", "k1.private.pem", "-pubout");
        assertEquals(PinnedKeys.parsePublicKey(Files.readString(dir.resolve("k1.public.pem"))),
                PinnedKeys.parsePublicKey(pub));
        openssl("pkey", "-pubin", "-in", "k1.public.pem", "-noout");
    }

    @Test
    void openssl_verifies_a_time_statement_signed_with_a_key_openssl_made() throws Exception {
        openssl("genpkey", "-algorithm", "ed25519", "-out", "ossl.pem");
        openssl("pkey", "-in", "ossl.pem", "-pubout", "-out", "ossl.pub.pem");
        assertEquals(0, vendor("time", "sign", "--key", dir.resolve("ossl.pem").toString(), "--kid", "ossl",
                "--serial", "CAL-1", "--nonce", "AAECAwQFBgcICQoLDA0ODw"), err.toString());
        String statement = out.toString(StandardCharsets.UTF_8).strip();
        Files.writeString(dir.resolve("input.txt"), statement.substring(0, statement.lastIndexOf('.')),
                StandardCharsets.US_ASCII);
        Files.write(dir.resolve("sig.bin"), java.util.Base64.getUrlDecoder().decode(
                statement.substring(statement.lastIndexOf('.') + 1)));
        assertTrue(openssl("pkeyutl", "-verify", "-pubin", "-inkey", "ossl.pub.pem", "-rawin", "-in", "input.txt",
                "-sigfile", "sig.bin").contains("Signature Verified Successfully"));
        assertEquals(0, vendor("time", "verify", "--pubkey", dir.resolve("ossl.pub.pem").toString(), "--serial",
                "CAL-1", statement), err.toString());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("time 2026-06-01T00:00:00Z"));
    }
}
