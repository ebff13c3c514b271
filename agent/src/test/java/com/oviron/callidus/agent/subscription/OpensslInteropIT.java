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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens made by an independent implementation: openssl signs {@code header.payload} with an Ed25519 key it
 * generated, the verifier accepts it (key pinned as PEM and as raw base64url); and the reverse: openssl
 * verifies what {@link TokenSigner} signed. Needs {@code openssl} 3.x on the PATH (the CI installs it).
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
}
