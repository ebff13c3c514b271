package com.oviron.callidus.agent.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.agent.access.AccessTokenRejectedException.Reason;
import com.oviron.callidus.agent.subscription.PinnedKeys;
import com.oviron.callidus.agent.subscription.TokenRejectedException;
import com.oviron.callidus.agent.subscription.TokenVerifier;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AccessTokensTest {
    private static final String SERIAL = "CAL-000123";
    private static final Instant NOW = Instant.parse("2026-12-11T08:00:00Z");
    private final KeyPair oviron = AccessFixture.newKeyPair();
    private final AccessTokens tokens = new AccessTokens("oviron-service", SERIAL,
            PinnedKeys.of(Map.of("t1", oviron.getPublic())));

    private TechnicianToken claims(Role role, String device, Instant iat, Instant exp) {
        return new TechnicianToken("oviron-service", "T-4711", Optional.of("Maria Ivanova"), role, device, iat, exp,
                "jti-1");
    }

    private String sign(TechnicianToken t) {
        return AccessTokens.sign(t, "t1", oviron.getPrivate());
    }

    private Reason refused(String token) {
        return assertThrows(AccessTokenRejectedException.class, () -> tokens.technician(token, NOW)).reason();
    }

    @Test
    void reads_a_valid_technician_token() throws Exception {
        AccessTokens.VerifiedTechnician v = tokens.technician(sign(claims(Role.SERVICE, SERIAL, NOW.minusSeconds(60),
                NOW.plusSeconds(3600))), NOW);
        assertEquals("T-4711", v.claims().technicianId());
        assertEquals(Role.SERVICE, v.claims().role());
        assertEquals(Optional.of("Maria Ivanova"), v.claims().name());
        assertEquals("t1", v.keyId());
        assertEquals(NOW.plusSeconds(3600), v.claims().expiresAt());
    }

    @Test
    void a_token_for_any_unit_is_accepted_one_for_another_unit_is_not() throws Exception {
        tokens.technician(sign(claims(Role.CLINIC, "any", NOW.minusSeconds(60), NOW.plusSeconds(60))), NOW);
        assertEquals(Reason.WRONG_DEVICE, refused(sign(claims(Role.SERVICE, "CAL-999999", NOW.minusSeconds(60),
                NOW.plusSeconds(60)))));
    }

    @Test
    void refuses_an_expired_token_and_one_issued_in_the_future() {
        assertEquals(Reason.EXPIRED, refused(sign(claims(Role.SERVICE, SERIAL, NOW.minusSeconds(7200),
                NOW.minusSeconds(1)))));
        assertEquals(Reason.EXPIRED, refused(sign(claims(Role.SERVICE, SERIAL, NOW.minusSeconds(7200), NOW))),
                "exp is the first instant it is no longer valid");
        assertEquals(Reason.NOT_YET_VALID, refused(sign(claims(Role.SERVICE, SERIAL, NOW.plus(Duration.ofMinutes(11)),
                NOW.plus(Duration.ofHours(2))))));
    }

    @Test
    void refuses_a_token_valid_for_longer_than_31_days() {
        assertEquals(Reason.TOO_LONG, refused(sign(claims(Role.SERVICE, SERIAL, NOW.minusSeconds(60),
                NOW.plus(Duration.ofDays(32))))));
    }

    @Test
    void refuses_a_token_signed_by_another_key_or_an_unknown_key_id() {
        KeyPair other = AccessFixture.newKeyPair();
        TechnicianToken c = claims(Role.SERVICE, SERIAL, NOW.minusSeconds(60), NOW.plusSeconds(60));
        assertEquals(Reason.BAD_SIGNATURE, refused(AccessTokens.sign(c, "t1", other.getPrivate())));
        assertEquals(Reason.UNKNOWN_KEY, refused(AccessTokens.sign(c, "t9", oviron.getPrivate())));
    }

    @Test
    void refuses_a_changed_token() {
        String token = sign(claims(Role.CLINIC, SERIAL, NOW.minusSeconds(60), NOW.plusSeconds(60)));
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"clinic\"", "\"service\"");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertEquals(Reason.BAD_SIGNATURE, refused(forged));
    }

    @Test
    void refuses_alg_none_and_a_subscription_token_shape() {
        String claims = Base64.getUrlEncoder().withoutPadding().encodeToString("{}".getBytes(StandardCharsets.UTF_8));
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"alg\":\"none\",\"kid\":\"t1\",\"typ\":\"technician+jwt\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(Reason.ALGORITHM_NOT_ALLOWED, refused(none + "." + claims + ".AAAAAAAAAAAAAAAAAAAAAAAA"));
        assertEquals(Reason.MALFORMED, refused("not-a-token"));
        assertEquals(Reason.TOO_LARGE, refused("a".repeat(AccessTokens.MAX_TOKEN_CHARS + 1)));
    }

    @Test
    void a_reset_token_is_not_a_technician_token_and_neither_is_a_subscription_token() throws Exception {
        String reset = AccessTokens.sign(new PinResetToken("oviron-service", "support-ana", SERIAL,
                NOW.minusSeconds(60), NOW.plusSeconds(60), "r-1"), "t1", oviron.getPrivate());
        assertEquals(Reason.BAD_HEADER, refused(reset));
        String technician = sign(claims(Role.SERVICE, SERIAL, NOW.minusSeconds(60), NOW.plusSeconds(60)));
        assertEquals(Reason.BAD_HEADER, assertThrows(AccessTokenRejectedException.class,
                () -> tokens.reset(technician, NOW)).reason());
        // and the subscription never takes a technician token signed with the same key for a subscription token
        TokenVerifier subscription = new TokenVerifier("oviron-service", SERIAL,
                PinnedKeys.of(Map.of("t1", oviron.getPublic())));
        assertEquals(TokenRejectedException.Reason.BAD_HEADER, assertThrows(TokenRejectedException.class,
                () -> subscription.verify(technician)).reason());
    }

    @Test
    void refuses_wrong_issuer_and_bad_claims() {
        TechnicianToken other = new TechnicianToken("someone-else", "T-1", Optional.empty(), Role.SERVICE, SERIAL,
                NOW.minusSeconds(60), NOW.plusSeconds(60), "j");
        assertEquals(Reason.WRONG_ISSUER, refused(sign(other)));
        String admin = AccessJws.sign(com.google.gson.JsonParser.parseString("{\"iss\":\"oviron-service\",\"sub\":"
                + "\"T-1\",\"role\":\"admin\",\"dev\":\"any\",\"iat\":1,\"exp\":2,\"jti\":\"j\"}").getAsJsonObject(),
                AccessTokens.TECHNICIAN_TYP, "t1", oviron.getPrivate());
        AccessTokenRejectedException e = assertThrows(AccessTokenRejectedException.class,
                () -> tokens.technician(admin, NOW));
        assertEquals(Reason.BAD_CLAIMS, e.reason());
        assertTrue(e.getMessage().contains("role"), e.getMessage());
    }

    @Test
    void a_reset_token_must_name_this_unit_and_be_short_lived() throws Exception {
        PinResetToken ok = tokens.reset(AccessTokens.sign(new PinResetToken("oviron-service", "support-ana", SERIAL,
                NOW.minusSeconds(60), NOW.plusSeconds(3600), "r-1"), "t1", oviron.getPrivate()), NOW);
        assertEquals("support-ana", ok.issuedBy());
        String any = AccessTokens.sign(new PinResetToken("oviron-service", "support-ana", "any", NOW.minusSeconds(60),
                NOW.plusSeconds(3600), "r-2"), "t1", oviron.getPrivate());
        assertEquals(Reason.WRONG_DEVICE, assertThrows(AccessTokenRejectedException.class,
                () -> tokens.reset(any, NOW)).reason());
        String week = AccessTokens.sign(new PinResetToken("oviron-service", "support-ana", SERIAL,
                NOW.minusSeconds(60), NOW.plus(Duration.ofDays(7)), "r-3"), "t1", oviron.getPrivate());
        assertEquals(Reason.TOO_LONG, assertThrows(AccessTokenRejectedException.class,
                () -> tokens.reset(week, NOW)).reason());
    }
}
