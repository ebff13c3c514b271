package com.oviron.callidus.agent.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.agent.subscription.TokenRejectedException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TokenVerifierTest {
    private final TestTokens t = new TestTokens();
    private static final String HEADER = "{\"alg\":\"EdDSA\",\"kid\":\"k2026\",\"typ\":\"JWT\"}";

    private static String b64(String json) {
        return Base64Url.encode(json.getBytes(StandardCharsets.UTF_8));
    }

    private String signRaw(String header, String payload) throws Exception {
        return signRaw(header, payload, t.keyPair);
    }

    private static String signRaw(String header, String payload, KeyPair keys) throws Exception {
        String input = b64(header) + "." + b64(payload);
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(keys.getPrivate());
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + Base64Url.encode(s.sign());
    }

    private static String claimsJson() {
        return TokenClaimsCodec.toJson(TestTokens.claims(7)).toString();
    }

    private Reason reject(String token) {
        return assertThrows(TokenRejectedException.class, () -> t.verifier.verify(token)).reason();
    }

    @Test
    void a_token_signed_with_a_pinned_key_verifies_with_every_claim() throws Exception {
        VerifiedToken v = t.verifier.verify(t.token(7));
        assertEquals(TestTokens.claims(7), v.claims());
        assertEquals("k2026", v.keyId());
        assertFalse(v.toString().contains(v.compact()), "the compact token stays out of toString");
    }

    @Test
    void surrounding_white_space_of_a_pasted_token_is_ignored() throws Exception {
        assertEquals(7, t.verifier.verify("  " + t.token(7) + "\r\n").claims().tokenSerial());
    }

    @Test
    void claims_this_version_does_not_know_are_ignored() throws Exception {
        JsonObject o = JsonParser.parseString(claimsJson()).getAsJsonObject();
        o.addProperty("exp_hint", "later");
        o.addProperty("plan_tier", 3);
        assertEquals(7, t.verifier.verify(signRaw(HEADER, o.toString())).claims().tokenSerial());
    }

    @Test
    void a_header_without_typ_verifies() throws Exception {
        assertEquals(7, t.verifier.verify(signRaw("{\"kid\":\"k2026\",\"alg\":\"EdDSA\"}", claimsJson()))
                .claims().tokenSerial());
    }

    @Test
    void alg_none_is_refused() {
        String token = b64("{\"alg\":\"none\",\"kid\":\"k2026\"}") + "." + b64(claimsJson()) + ".";
        assertEquals(Reason.ALGORITHM_NOT_ALLOWED, reject(token));
        assertEquals(Reason.ALGORITHM_NOT_ALLOWED, reject(b64("{\"alg\":\"none\"}") + "." + b64(claimsJson()) + "."));
    }

    @Test
    void hs256_keyed_with_the_public_key_is_refused() throws Exception {
        // the classic confusion: an HMAC "signed" with the public key bytes everyone knows
        String input = b64("{\"alg\":\"HS256\",\"kid\":\"k2026\",\"typ\":\"JWT\"}") + "." + b64(claimsJson());
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(t.keyPair.getPublic().getEncoded(), "HmacSHA256"));
        String token = input + "." + Base64Url.encode(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        assertEquals(Reason.ALGORITHM_NOT_ALLOWED, reject(token));
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS256", "ES256", "Ed25519", "eddsa", "EdDSA ", "HS512"})
    void any_algorithm_but_EdDSA_is_refused(String alg) throws Exception {
        assertEquals(Reason.ALGORITHM_NOT_ALLOWED,
                reject(signRaw("{\"alg\":\"" + alg + "\",\"kid\":\"k2026\"}", claimsJson())));
    }

    @Test
    void an_unknown_key_id_is_refused() throws Exception {
        assertEquals(Reason.UNKNOWN_KEY, reject(signRaw("{\"alg\":\"EdDSA\",\"kid\":\"k2099\"}", claimsJson())));
    }

    @Test
    void a_pinned_key_id_with_another_key_fails_the_signature() throws Exception {
        assertEquals(Reason.BAD_SIGNATURE, reject(signRaw(HEADER, claimsJson(), TestTokens.newKeyPair())));
    }

    @Test
    void either_of_two_pinned_keys_verifies_during_a_rotation() throws Exception {
        KeyPair next = TestTokens.newKeyPair();
        TokenVerifier both = new TokenVerifier(TestTokens.ISSUER, TestTokens.SERIAL,
                PinnedKeys.of(Map.of("k2026", t.keyPair.getPublic(), "k2027", next.getPublic())));
        assertEquals("k2026", both.verify(t.token(1)).keyId());
        assertEquals("k2027", both.verify(TokenSigner.sign(TestTokens.claims(2), "k2027", next.getPrivate())).keyId());
    }

    @ParameterizedTest
    @CsvSource({
            "'{\"alg\":\"EdDSA\",\"kid\":\"k2026\",\"crit\":[\"exp\"]}', BAD_HEADER",
            "'{\"alg\":\"EdDSA\",\"kid\":\"k2026\",\"jku\":\"https://evil.example/keys\"}', BAD_HEADER",
            "'{\"alg\":\"EdDSA\",\"kid\":\"k2026\",\"typ\":\"JOSE\"}', BAD_HEADER",
            "'{\"alg\":\"EdDSA\",\"kid\":\"k2026\",\"typ\":1}', BAD_HEADER",
            "'{\"alg\":\"EdDSA\"}', BAD_HEADER",
            "'{\"alg\":\"EdDSA\",\"kid\":7}', BAD_HEADER",
            "'{\"alg\":\"EdDSA\",\"kid\":\"a b\"}', BAD_HEADER",
            "'{\"kid\":\"k2026\"}', BAD_HEADER",
            "'{\"alg\":\"EdDSA\",\"alg\":\"EdDSA\",\"kid\":\"k2026\"}', MALFORMED",
            "'[\"EdDSA\"]', MALFORMED",
            "'{\"alg\":\"EdDSA\",\"kid\":\"k2026\"', MALFORMED",
            "'{alg:\"EdDSA\",kid:\"k2026\"}', MALFORMED",
    })
    void a_header_that_is_not_exactly_alg_kid_typ_is_refused(String header, Reason reason) throws Exception {
        assertEquals(reason, reject(signRaw(header, claimsJson())));
    }

    @Test
    void a_tampered_payload_is_refused() throws Exception {
        String[] parts = t.token(7).split("\\.");
        JsonObject o = JsonParser.parseString(claimsJson()).getAsJsonObject();
        o.getAsJsonObject("paid_until").addProperty("service_manager", "2099-12-31");
        assertEquals(Reason.BAD_SIGNATURE, reject(parts[0] + "." + b64(o.toString()) + "." + parts[2]));
    }

    @Test
    void every_single_flipped_bit_of_the_signed_part_or_signature_is_refused() throws Exception {
        String token = t.token(7);
        int refused = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                continue;
            }
            char other = c == 'A' ? 'B' : 'A';
            String tampered = token.substring(0, i) + other + token.substring(i + 1);
            TokenRejectedException e = assertThrows(TokenRejectedException.class, () -> t.verifier.verify(tampered),
                    "position " + i);
            assertTrue(e.reason() == Reason.BAD_SIGNATURE || e.reason() == Reason.MALFORMED
                    || e.reason() == Reason.BAD_HEADER || e.reason() == Reason.ALGORITHM_NOT_ALLOWED
                    || e.reason() == Reason.UNKNOWN_KEY, "position " + i + ": " + e.reason());
            refused++;
        }
        assertEquals(token.length() - 2, refused);
    }

    @Test
    void a_tampered_signature_is_refused() throws Exception {
        String token = t.token(7);
        byte[] sig = Base64Url.decode(token.substring(token.lastIndexOf('.') + 1));
        sig[10] ^= 0x01;
        assertEquals(Reason.BAD_SIGNATURE, reject(token.substring(0, token.lastIndexOf('.') + 1) + Base64Url.encode(sig)));
        byte[] shorter = java.util.Arrays.copyOf(sig, 63);
        assertEquals(Reason.BAD_SIGNATURE,
                reject(token.substring(0, token.lastIndexOf('.') + 1) + Base64Url.encode(shorter)));
    }

    @Test
    void a_token_for_another_serial_is_refused() throws Exception {
        SubscriptionToken c = TestTokens.claims(7);
        SubscriptionToken other = new SubscriptionToken(c.issuer(), "CAL-000124", c.issuedAt(), 7, c.purchaseDate(),
                c.serviceManagerPaidUntil(), c.extendedWarrantyPaidUntil(), 15, c.serverTime());
        assertEquals(Reason.WRONG_DEVICE, reject(t.sign(other)));
    }

    @Test
    void a_token_from_another_issuer_is_refused() throws Exception {
        SubscriptionToken c = TestTokens.claims(7);
        SubscriptionToken other = new SubscriptionToken("someone-else", c.deviceSerial(), c.issuedAt(), 7,
                c.purchaseDate(), c.serviceManagerPaidUntil(), c.extendedWarrantyPaidUntil(), 15, c.serverTime());
        assertEquals(Reason.WRONG_ISSUER, reject(t.sign(other)));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 5})
    void not_exactly_three_parts_is_refused(int parts) throws Exception {
        String token = t.token(7);
        String shaped = switch (parts) {
            case 1 -> token.replace(".", "");
            case 2 -> token.substring(0, token.lastIndexOf('.'));
            case 4 -> token + ".";
            default -> token.replaceFirst("\\.", "..") + ".x";
        };
        assertEquals(Reason.MALFORMED, reject(shaped));
        assertEquals(Reason.MALFORMED, reject("." + token));
    }

    @Test
    void base64_with_padding_standard_alphabet_or_spare_bits_is_refused() throws Exception {
        String token = t.token(7);
        String[] p = token.split("\\.");
        assertEquals(Reason.MALFORMED, reject(p[0] + "=." + p[1] + "." + p[2]));
        String std = Base64.getEncoder().withoutPadding().encodeToString(Base64Url.decode(p[2]));
        if (!std.equals(p[2])) {
            assertEquals(Reason.MALFORMED, reject(p[0] + "." + p[1] + "." + std));
        }
        assertEquals(Reason.MALFORMED, reject(p[0] + "." + p[1] + "." + p[2] + "AAA"), "impossible length");
        // the 64-byte signature ends in one character carrying 4 bits; its 2 spare bits must be zero
        char last = p[2].charAt(p[2].length() - 1);
        int value = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".indexOf(last);
        char spare = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".charAt(value | 1);
        assertEquals(Reason.MALFORMED, reject(p[0] + "." + p[1] + "." + p[2].substring(0, p[2].length() - 1) + spare));
        assertEquals(Reason.MALFORMED, reject(p[0] + "." + p[1] + "." + p[2].substring(0, 10) + " " + p[2].substring(10)));
    }

    @Test
    void a_huge_token_is_refused_before_parsing() {
        String huge = "a".repeat(TokenVerifier.MAX_TOKEN_CHARS + 1);
        assertEquals(Reason.TOO_LARGE, reject(huge));
        assertEquals(Reason.TOO_LARGE, reject(b64(HEADER) + "." + b64("{\"x\":\"" + "y".repeat(5000) + "\"}") + ".AA"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"iss", "sub", "iat", "tsn", "purchase_date", "paid_until", "grace_days", "server_time"})
    void a_missing_claim_is_refused(String claim) throws Exception {
        JsonObject o = JsonParser.parseString(claimsJson()).getAsJsonObject();
        o.remove(claim);
        TokenRejectedException e = assertThrows(TokenRejectedException.class,
                () -> t.verifier.verify(signRaw(HEADER, o.toString())));
        assertEquals(Reason.BAD_CLAIMS, e.reason());
        assertTrue(e.getMessage().contains(claim), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            iat           | "1763712000"
            iat           | 1763712000.5
            iat           | 1.7637e9
            iat           | 99999999999999999999
            iat           | 1
            server_time   | true
            tsn           | 0
            tsn           | -4
            tsn           | 9007199254740992
            tsn           | "7"
            sub           | 123
            sub           | "CAL 1"
            iss           | ""
            purchase_date | 20250310
            purchase_date | "2025-3-10"
            purchase_date | "2025-02-30"
            purchase_date | "2025-03-10T00:00:00Z"
            paid_until    | "2027-03-10"
            paid_until    | {"service_manager":"2027-13-01"}
            paid_until    | {"service_manager":"2024-01-01"}
            paid_until    | {"extended_warranty":5}
            grace_days    | -1
            grace_days    | 91
            grace_days    | 1000000000000
            grace_days    | null
            """)
    void a_claim_of_the_wrong_type_or_range_is_refused(String claim, String json) throws Exception {
        JsonObject o = JsonParser.parseString(claimsJson()).getAsJsonObject();
        o.add(claim, JsonParser.parseString(json));
        TokenRejectedException e = assertThrows(TokenRejectedException.class,
                () -> t.verifier.verify(signRaw(HEADER, o.toString())), claim + "=" + json);
        assertEquals(Reason.BAD_CLAIMS, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(claim), e.getMessage());
    }

    @Test
    void a_payload_with_a_duplicated_claim_or_not_an_object_is_refused() throws Exception {
        String dup = claimsJson().replace("{\"iss\"", "{\"tsn\":99,\"iss\"");
        assertEquals(Reason.MALFORMED, reject(signRaw(HEADER, dup)));
        assertEquals(Reason.MALFORMED, reject(signRaw(HEADER, "[1,2]")));
        assertEquals(Reason.MALFORMED, reject(signRaw(HEADER, claimsJson() + "x")));
    }

    @Test
    void absent_plans_mean_never_paid() throws Exception {
        JsonObject o = JsonParser.parseString(claimsJson()).getAsJsonObject();
        o.add("paid_until", new JsonObject());
        SubscriptionToken c = t.verifier.verify(signRaw(HEADER, o.toString())).claims();
        assertTrue(c.serviceManagerPaidUntil().isEmpty());
        assertTrue(c.extendedWarrantyPaidUntil().isEmpty());
    }

    @Test
    void rejection_messages_never_contain_the_token() throws Exception {
        String token = t.sign(TestTokens.withPaidUntil(TestTokens.claims(3), java.time.LocalDate.parse("2030-01-01")));
        int at = token.lastIndexOf('.') + 20; // mid-signature: always a real change
        String tampered = token.substring(0, at) + (token.charAt(at) == 'A' ? 'B' : 'A') + token.substring(at + 1);
        TokenRejectedException e = assertThrows(TokenRejectedException.class, () -> t.verifier.verify(tampered));
        assertFalse(e.getMessage().contains(token.substring(token.lastIndexOf('.') + 1, token.length() - 3)));
    }
}
