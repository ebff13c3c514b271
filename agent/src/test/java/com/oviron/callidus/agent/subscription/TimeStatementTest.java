package com.oviron.callidus.agent.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.agent.subscription.TokenRejectedException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The signed time statement ({@link TimeStatementVerifier}) and its nonces ({@link TimeChallenges}). */
class TimeStatementTest {
    private static final String NONCE = "AAECAwQFBgcICQoLDA0ODw";
    private static final Instant TIME = Instant.parse("2026-11-21T08:00:00.123Z");
    private final TestTokens t = new TestTokens();
    private final TimeStatementVerifier verifier = new TimeStatementVerifier(TestTokens.ISSUER, TestTokens.SERIAL,
            t.pinned);

    private String signRaw(String header, String payload) throws Exception {
        String input = Base64Url.encode(header.getBytes(StandardCharsets.UTF_8)) + "."
                + Base64Url.encode(payload.getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(t.keyPair.getPrivate());
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + Base64Url.encode(s.sign());
    }

    @Test
    void a_statement_signed_with_a_pinned_key_verifies_with_millisecond_time() throws Exception {
        TimeStatement s = verifier.verify("  " + t.statement(NONCE, TIME) + "\n");
        assertEquals(new TimeStatement(TestTokens.ISSUER, TestTokens.SERIAL, NONCE, TIME), s);
    }

    /** docs/protocol.md, "Signed time statement": the example, signed with the key of RFC 8032's test 1. */
    @Test
    void the_example_of_the_protocol_is_byte_for_byte_what_the_signer_makes() throws Exception {
        String example = "eyJhbGciOiJFZERTQSIsImtpZCI6InJmYzgwMzItMSIsInR5cCI6ImNhbGxpZHVzLXRpbWUrand0In0"
                + ".eyJpc3MiOiJvdmlyb24tc3Vic2NyaXB0aW9ucyIsInN1YiI6IkNBTC0wMDAxMjMiLCJub25jZSI6InEwb0UyQzJtNXlZcTZPMGIycF"
                + "hjV2ciLCJ0aW1lX21zIjoxNzk1MjQ4MDAwMjUwfQ"
                + ".Au5SNQjnveAWRWTsmBXIuHJiCn_i7FKH90alNmRS2MunJIRZG5h5W5-gONXak7j2ISmaAeXhheK0eQ1g4utfBg";
        byte[] pkcs8 = java.util.HexFormat.of().parseHex("302e020100300506032b657004220420"
                + "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        java.security.PrivateKey rfcKey = java.security.KeyFactory.getInstance("Ed25519")
                .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(pkcs8));
        TimeStatement claims = new TimeStatement("oviron-subscriptions", "CAL-000123", "q0oE2C2m5yYq6O0b2pXcWg",
                Instant.parse("2026-11-21T08:00:00.250Z"));
        assertEquals(example, TimeStatementSigner.sign(claims, "rfc8032-1", rfcKey));
        TimeStatementVerifier unit = new TimeStatementVerifier("oviron-subscriptions", "CAL-000123",
                PinnedKeys.parse(java.util.Map.of("rfc8032-1", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")));
        assertEquals(claims, unit.verify(example));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no typ            | {\"alg\":\"EdDSA\",\"kid\":\"k2026\"}                        | BAD_HEADER",
            "typ of a token    | {\"alg\":\"EdDSA\",\"kid\":\"k2026\",\"typ\":\"JWT\"}          | BAD_HEADER",
            "alg none          | {\"alg\":\"none\",\"kid\":\"k2026\",\"typ\":\"callidus-time+jwt\"} | ALGORITHM_NOT_ALLOWED",
            "unpinned kid      | {\"alg\":\"EdDSA\",\"kid\":\"k1999\",\"typ\":\"callidus-time+jwt\"} | UNKNOWN_KEY",
            "extra header      | {\"alg\":\"EdDSA\",\"kid\":\"k2026\",\"typ\":\"callidus-time+jwt\",\"jku\":\"x\"} | BAD_HEADER"})
    void a_header_other_than_a_time_statements_is_refused(String what, String header, Reason reason)
            throws Exception {
        String payload = TimeStatementCodec.toJson(new TimeStatement(TestTokens.ISSUER, TestTokens.SERIAL, NONCE, TIME))
                .toString();
        assertEquals(reason, assertThrows(TokenRejectedException.class,
                () -> verifier.verify(signRaw(header, payload))).reason(), what);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no nonce            | {\"iss\":\"oviron-subscriptions\",\"sub\":\"CAL-000123\",\"time_ms\":1795248000000} | BAD_CLAIMS",
            "short nonce         | {\"iss\":\"oviron-subscriptions\",\"sub\":\"CAL-000123\",\"nonce\":\"abc\",\"time_ms\":1795248000000} | BAD_CLAIMS",
            "time as text        | {\"iss\":\"oviron-subscriptions\",\"sub\":\"CAL-000123\",\"nonce\":\"AAECAwQFBgcICQoLDA0ODw\",\"time_ms\":\"1795248000000\"} | BAD_CLAIMS",
            "time in seconds     | {\"iss\":\"oviron-subscriptions\",\"sub\":\"CAL-000123\",\"nonce\":\"AAECAwQFBgcICQoLDA0ODw\",\"time_ms\":1795248000} | BAD_CLAIMS",
            "time 2200           | {\"iss\":\"oviron-subscriptions\",\"sub\":\"CAL-000123\",\"nonce\":\"AAECAwQFBgcICQoLDA0ODw\",\"time_ms\":7258118400000} | BAD_CLAIMS",
            "fraction            | {\"iss\":\"oviron-subscriptions\",\"sub\":\"CAL-000123\",\"nonce\":\"AAECAwQFBgcICQoLDA0ODw\",\"time_ms\":1795248000000.5} | BAD_CLAIMS",
            "other issuer        | {\"iss\":\"someone\",\"sub\":\"CAL-000123\",\"nonce\":\"AAECAwQFBgcICQoLDA0ODw\",\"time_ms\":1795248000000} | WRONG_ISSUER",
            "other unit          | {\"iss\":\"oviron-subscriptions\",\"sub\":\"CAL-000999\",\"nonce\":\"AAECAwQFBgcICQoLDA0ODw\",\"time_ms\":1795248000000} | WRONG_DEVICE",
            "duplicate claim     | {\"iss\":\"oviron-subscriptions\",\"sub\":\"CAL-000123\",\"nonce\":\"AAECAwQFBgcICQoLDA0ODw\",\"time_ms\":1,\"time_ms\":1795248000000} | MALFORMED"})
    void claims_are_read_strictly(String what, String payload, Reason reason) throws Exception {
        String header = "{\"alg\":\"EdDSA\",\"kid\":\"k2026\",\"typ\":\"callidus-time+jwt\"}";
        assertEquals(reason, assertThrows(TokenRejectedException.class,
                () -> verifier.verify(signRaw(header, payload))).reason(), what);
    }

    @Test
    void an_unknown_claim_is_ignored_and_a_statement_is_never_taken_for_a_token() throws Exception {
        String header = "{\"alg\":\"EdDSA\",\"kid\":\"k2026\",\"typ\":\"callidus-time+jwt\"}";
        String statement = signRaw(header, "{\"iss\":\"oviron-subscriptions\",\"sub\":\"CAL-000123\","
                + "\"nonce\":\"AAECAwQFBgcICQoLDA0ODw\",\"time_ms\":1795248000000,\"region\":\"eu\"}");
        assertEquals(Instant.ofEpochMilli(1795248000000L), verifier.verify(statement).time());
        assertEquals(Reason.BAD_HEADER, assertThrows(TokenRejectedException.class,
                () -> t.verifier.verify(statement)).reason());
    }

    @Test
    void a_statement_longer_than_2048_characters_is_refused_before_anything_else() {
        assertEquals(Reason.TOO_LARGE, assertThrows(TokenRejectedException.class,
                () -> verifier.verify("a".repeat(2049))).reason());
    }

    // ---- nonces ----

    @Test
    void nonces_are_22_characters_of_base64url_and_all_different() {
        TimeChallenges c = new TimeChallenges(() -> 0L, Duration.ofMinutes(10));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String n = c.issue();
            assertTrue(n.matches("[A-Za-z0-9_-]{22}"), n);
            assertTrue(TimeStatement.NONCE.matcher(n).matches());
            assertTrue(seen.add(n), "repeated nonce " + n);
        }
    }

    @ParameterizedTest(name = "answered after {0} ns of validity {1}: {2}")
    @CsvSource({
            "0,             600000000000, OK",
            "599999999999,  600000000000, OK",
            "600000000000,  600000000000, OK",                // exactly the validity
            "600000000001,  600000000000, CHALLENGE_EXPIRED", // a nanosecond later
            "3600000000000, 600000000000, CHALLENGE_EXPIRED"})
    void a_nonce_answers_within_its_validity_on_the_monotonic_clock(long after, long validity, String outcome)
            throws Exception {
        long[] now = {-5_000_000_000L};                  // the monotonic clock may be negative
        TimeChallenges c = new TimeChallenges(() -> now[0], Duration.ofNanos(validity));
        String nonce = c.issue();
        now[0] += after;
        if (outcome.equals("OK")) {
            c.consume(nonce);
            assertEquals(Reason.NONCE_USED, assertThrows(TokenRejectedException.class, () -> c.consume(nonce))
                    .reason());
        } else {
            assertEquals(Reason.valueOf(outcome), assertThrows(TokenRejectedException.class,
                    () -> c.consume(nonce)).reason());
        }
    }

    @Test
    void the_newest_eight_nonces_are_kept_and_an_older_one_is_unknown() throws Exception {
        TimeChallenges c = new TimeChallenges(() -> 0L, Duration.ofMinutes(10));
        String first = c.issue();
        String second = c.issue();
        for (int i = 0; i < TimeChallenges.KEPT - 1; i++) {
            c.issue();
        }
        assertEquals(Reason.UNKNOWN_NONCE, assertThrows(TokenRejectedException.class, () -> c.consume(first))
                .reason());
        c.consume(second);
        assertEquals(Reason.UNKNOWN_NONCE, assertThrows(TokenRejectedException.class,
                () -> c.consume("AAECAwQFBgcICQoLDA0ODw")).reason());
        assertNotEquals(first, second);
    }
}
