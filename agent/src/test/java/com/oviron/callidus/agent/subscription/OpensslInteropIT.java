package com.oviron.callidus.agent.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.agent.subscription.TokenRejectedException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens and time statements made by an independent implementation: openssl signs {@code header.payload}
 * with an Ed25519 key it generated, the unit accepts it (key pinned as PEM and as raw base64url); and the
 * reverse: openssl verifies what {@link TokenSigner} and {@link TimeStatementSigner} signed. Needs
 * {@code openssl} 3.x on the PATH (the CI installs it).
 */
class OpensslInteropIT {
    @TempDir
    Path dir;

    private record Result(int exit, String output) {
    }

    private Result openssl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "openssl finished");
        return new Result(p.exitValue(), out);
    }

    private void ok(String... args) throws Exception {
        Result r = openssl(args);
        assertEquals(0, r.exit(), "openssl " + String.join(" ", args) + ": " + r.output());
    }

    private static String signingInput(SubscriptionToken claims, String kid) {
        String header = "{\"alg\":\"EdDSA\",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}";
        return Base64Url.encode(header.getBytes(StandardCharsets.UTF_8)) + "."
                + Base64Url.encode(TokenClaimsCodec.toJson(claims).toString().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void a_token_signed_by_openssl_verifies_and_a_tampered_one_does_not() throws Exception {
        ok("genpkey", "-algorithm", "ed25519", "-out", "vendor.pem");
        ok("pkey", "-in", "vendor.pem", "-pubout", "-out", "vendor.pub.pem");
        ok("pkey", "-in", "vendor.pem", "-pubout", "-outform", "DER", "-out", "vendor.pub.der");
        String input = signingInput(TestTokens.claims(11), "ossl1");
        Files.writeString(dir.resolve("input.txt"), input, StandardCharsets.US_ASCII);
        ok("pkeyutl", "-sign", "-inkey", "vendor.pem", "-rawin", "-in", "input.txt", "-out", "sig.bin");
        String token = input + "." + Base64Url.encode(Files.readAllBytes(dir.resolve("sig.bin")));

        byte[] der = Files.readAllBytes(dir.resolve("vendor.pub.der"));
        String raw = Base64Url.encode(Arrays.copyOfRange(der, der.length - 32, der.length));
        for (String pinnedAs : List.of(Files.readString(dir.resolve("vendor.pub.pem")), raw)) {
            TokenVerifier verifier = new TokenVerifier(TestTokens.ISSUER, TestTokens.SERIAL,
                    PinnedKeys.parse(Map.of("ossl1", pinnedAs)));
            VerifiedToken v = verifier.verify(token);
            assertEquals(TestTokens.claims(11), v.claims());
            assertEquals("ossl1", v.keyId());

            char[] chars = token.toCharArray();
            int i = input.length() - 5;   // inside the payload
            chars[i] = chars[i] == 'A' ? 'B' : 'A';
            assertEquals(Reason.BAD_SIGNATURE, assertThrows(TokenRejectedException.class,
                    () -> verifier.verify(new String(chars))).reason());
        }
    }

    @Test
    void openssl_verifies_what_the_token_signer_signed() throws Exception {
        KeyPair keys = TestTokens.newKeyPair();
        String token = TokenSigner.sign(TestTokens.claims(12), "jdk1", keys.getPrivate());
        String input = token.substring(0, token.lastIndexOf('.'));
        Files.writeString(dir.resolve("input.txt"), input, StandardCharsets.US_ASCII);
        byte[] sig = Base64Url.decode(token.substring(token.lastIndexOf('.') + 1));
        Files.write(dir.resolve("sig.bin"), sig);
        Files.writeString(dir.resolve("pub.pem"), PinnedKeys.pem(keys.getPublic()));
        Result good = openssl("pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "input.txt",
                "-sigfile", "sig.bin");
        assertEquals(0, good.exit(), good.output());
        assertTrue(good.output().contains("Signature Verified Successfully"), good.output());

        sig[0] ^= 1;
        Files.write(dir.resolve("bad.bin"), sig);
        Result bad = openssl("pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "input.txt",
                "-sigfile", "bad.bin");
        assertNotEquals(0, bad.exit(), "openssl refuses a tampered signature: " + bad.output());
    }

    @Test
    void a_time_statement_signed_by_openssl_sets_trusted_time_once() throws Exception {
        ok("genpkey", "-algorithm", "ed25519", "-out", "vendor.pem");
        ok("pkey", "-in", "vendor.pem", "-pubout", "-out", "vendor.pub.pem");
        Instant wrongMark = Instant.parse("2027-09-01T00:00:00Z");
        Instant truth = Instant.parse("2026-11-21T08:00:00.250Z");
        Files.writeString(dir.resolve("trusted-time.json"), TrustedClockTest.planted(wrongMark, truth));
        FakeTime time = new FakeTime(truth);
        SubscriptionService unit = SubscriptionService.open(SubscriptionSettings.defaults(
                PinnedKeys.parse(Map.of("ossl1", Files.readString(dir.resolve("vendor.pub.pem")))), dir),
                TestTokens.SERIAL, time.wall, time.monotonic());
        String nonce = unit.challenge().nonce();

        // what a cloud engineer writes with a shell: header and payload as text, openssl signs
        String header = "{\"alg\":\"EdDSA\",\"kid\":\"ossl1\",\"typ\":\"callidus-time+jwt\"}";
        String payload = "{\"iss\":\"oviron-subscriptions\",\"sub\":\"" + TestTokens.SERIAL + "\",\"nonce\":\""
                + nonce + "\",\"time_ms\":" + truth.toEpochMilli() + "}";
        String input = Base64Url.encode(header.getBytes(StandardCharsets.UTF_8)) + "."
                + Base64Url.encode(payload.getBytes(StandardCharsets.UTF_8));
        Files.writeString(dir.resolve("input.txt"), input, StandardCharsets.US_ASCII);
        ok("pkeyutl", "-sign", "-inkey", "vendor.pem", "-rawin", "-in", "input.txt", "-out", "sig.bin");
        String statement = input + "." + Base64Url.encode(Files.readAllBytes(dir.resolve("sig.bin")));

        char[] chars = statement.toCharArray();
        int i = input.length() - 5;   // inside the payload
        chars[i] = chars[i] == 'A' ? 'B' : 'A';
        assertEquals(Reason.BAD_SIGNATURE, assertThrows(TokenRejectedException.class,
                () -> unit.setTime(new String(chars), "command")).reason());
        assertEquals(wrongMark, unit.status().clock().trustedNow());

        TimeSetOutcome o = unit.setTime(statement, "command");
        assertEquals(wrongMark, o.trustedBefore());
        assertEquals(truth, o.status().clock().trustedNow());
        assertEquals(Reason.NONCE_USED, assertThrows(TokenRejectedException.class,
                () -> unit.setTime(statement, "command")).reason());
    }

    @Test
    void openssl_verifies_what_the_time_statement_signer_signed() throws Exception {
        KeyPair keys = TestTokens.newKeyPair();
        String statement = TimeStatementSigner.sign(new TimeStatement("oviron-subscriptions", "CAL-1",
                "AAECAwQFBgcICQoLDA0ODw", Instant.parse("2026-11-21T08:00:00Z")), "jdk1", keys.getPrivate());
        String input = statement.substring(0, statement.lastIndexOf('.'));
        Files.writeString(dir.resolve("input.txt"), input, StandardCharsets.US_ASCII);
        Files.write(dir.resolve("sig.bin"), Base64Url.decode(statement.substring(statement.lastIndexOf('.') + 1)));
        Files.writeString(dir.resolve("pub.pem"), PinnedKeys.pem(keys.getPublic()));
        Result good = openssl("pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "input.txt",
                "-sigfile", "sig.bin");
        assertEquals(0, good.exit(), good.output());
        assertTrue(good.output().contains("Signature Verified Successfully"), good.output());
        String headerJson = new String(Base64Url.decode(input.substring(0, input.indexOf('.'))), StandardCharsets.UTF_8);
        assertEquals("{\"alg\":\"EdDSA\",\"kid\":\"jdk1\",\"typ\":\"callidus-time+jwt\"}", headerJson);
    }
}
