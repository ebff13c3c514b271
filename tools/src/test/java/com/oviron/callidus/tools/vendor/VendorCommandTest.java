package com.oviron.callidus.tools.vendor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.agent.subscription.PinnedKeys;
import com.oviron.callidus.agent.subscription.SubscriptionService;
import com.oviron.callidus.agent.subscription.SubscriptionSettings;
import com.oviron.callidus.agent.subscription.TokenRejectedException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VendorCommandTest {
    @TempDir
    Path dir;
    private ByteArrayOutputStream out;
    private ByteArrayOutputStream err;
    private Clock clock = Clock.fixed(Instant.parse("2027-02-20T10:00:00Z"), ZoneOffset.UTC);

    @BeforeEach
    void reset() {
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return VendorCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), clock);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private String keygenAndSign(String serial) throws Exception {
        assertEquals(0, run("keygen", "--out", dir.toString(), "--kid", "k1"), err());
        assertEquals(0, run("token", "sign", "--key", dir.resolve("k1.private.pem").toString(), "--kid", "k1",
                "--serial", serial, "--purchase", "2024-02-29", "--paid-until-sm", "2027-03-01",
                "--paid-until-ew", "2027-03-01", "--token-serial", "4", "--issued-at", "2027-02-01T00:00:00Z"), err());
        return out().strip();
    }

    @Test
    void keygen_writes_a_private_key_for_the_owner_only_and_the_public_key_in_both_forms() throws Exception {
        assertEquals(0, run("keygen", "--out", dir.toString(), "--kid", "k1"), err());
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("k1.private.pem"))));
        String raw = Files.readString(dir.resolve("k1.public.b64u")).strip();
        assertEquals(PinnedKeys.parsePublicKey(raw),
                PinnedKeys.parsePublicKey(Files.readString(dir.resolve("k1.public.pem"))));
        assertTrue(out().contains("\"k1\": \"" + raw + "\""), out());
        assertEquals(2, run("keygen", "--out", dir.toString(), "--kid", "k1"), "never overwrites a private key");
        assertTrue(err().contains("exists already"), err());
    }

    @Test
    void a_signed_token_verifies_and_shows_the_decision_now() throws Exception {
        String token = keygenAndSign("CAL-7");
        assertEquals(0, run("token", "verify", "--pubkey", dir.resolve("k1.public.pem").toString(), "--serial",
                "CAL-7", token), err());
        assertTrue(out().contains("token valid: kid=k1 sub=CAL-7 tsn=4"), out());
        assertTrue(out().contains("service manager active, last active day 2027-03-01 (9 days from today)"), out());
        assertTrue(out().contains("extended warranty active"), out());
        assertTrue(out().contains("renewal reminder due"), out());

        Files.writeString(dir.resolve("token.jws"), token + "\n");
        String raw = Files.readString(dir.resolve("k1.public.b64u")).strip();
        clock = Clock.fixed(Instant.parse("2027-03-17T00:00:00Z"), ZoneOffset.UTC);
        assertEquals(0, run("token", "verify", "--pubkey", raw, "--serial", "CAL-7", "@" + dir.resolve("token.jws")),
                err());
        assertTrue(out().contains("service manager lapsed"), out());
        assertTrue(out().contains("cloud services stopped"), out());
    }

    @Test
    void a_token_for_another_unit_or_tampered_is_refused_with_the_reason() throws Exception {
        String token = keygenAndSign("CAL-7");
        String pub = dir.resolve("k1.public.pem").toString();
        assertEquals(1, run("token", "verify", "--pubkey", pub, "--serial", "CAL-8", token));
        assertTrue(err().startsWith("token refused: wrong_device"), err());
        String tampered = token.substring(0, 30) + (token.charAt(30) == 'A' ? 'B' : 'A') + token.substring(31);
        assertEquals(1, run("token", "verify", "--pubkey", pub, "--serial", "CAL-7", tampered));
        assertTrue(err().startsWith("token refused: "), err());
        assertEquals(1, run("token", "verify", "--pubkey", pub, "--serial", "CAL-7", "--kid", "k2", token));
        assertTrue(err().startsWith("token refused: unknown_key"), err());
    }

    @Test
    void usage_errors_exit_2_naming_the_problem() throws Exception {
        assertEquals(2, run());
        assertEquals(0, run("--help"));
        assertTrue(out().contains("token sign"));
        assertEquals(2, run("token", "sign", "--kid", "k1"));
        assertTrue(err().contains("--key is required") || err().contains("is required"), err());
        assertEquals(2, run("keygen", "--out", dir.toString(), "--kid", "bad id"));
        assertEquals(2, run("keygen", "--out", dir.toString(), "--kid", "k1", "--colour", "red"));
        assertTrue(err().contains("unknown option --colour"), err());
        assertEquals(0, run("keygen", "--out", dir.toString(), "--kid", "k1"));
        String key = dir.resolve("k1.private.pem").toString();
        assertEquals(2, run("token", "sign", "--key", key, "--kid", "k1", "--serial", "CAL-7", "--purchase", "2024-02-30",
                "--paid-until-sm", "none", "--token-serial", "1"));
        assertTrue(err().contains("--purchase must be a date"), err());
        assertEquals(2, run("token", "sign", "--key", key, "--kid", "k1", "--serial", "CAL-7", "--purchase", "2024-02-01",
                "--paid-until-sm", "none", "--token-serial", "0"));
        assertTrue(err().contains("tsn must be between"), err());
        assertEquals(2, run("token", "sign", "--key", dir.resolve("k1.public.pem").toString(), "--kid", "k1",
                "--serial", "CAL-7", "--purchase", "2024-02-01", "--paid-until-sm", "none", "--token-serial", "1"));
        assertTrue(err().contains("not a PEM PRIVATE KEY"), err());
        assertEquals(2, run("token", "verify", "--pubkey", "nonsense", "--serial", "CAL-7", "a.b.c"));
        assertEquals(2, run("token", "frobnicate"));
    }

    @Test
    void a_unit_that_never_paid_gets_the_free_year_only() throws Exception {
        assertEquals(0, run("keygen", "--out", dir.toString(), "--kid", "k1"));
        assertEquals(0, run("token", "sign", "--key", dir.resolve("k1.private.pem").toString(), "--kid", "k1",
                "--serial", "CAL-7", "--purchase", "2024-02-29", "--paid-until-sm", "none", "--token-serial", "1"));
        String token = out().strip();
        clock = Clock.fixed(Instant.parse("2025-02-28T12:00:00Z"), ZoneOffset.UTC);
        assertEquals(0, run("token", "verify", "--pubkey", dir.resolve("k1.public.pem").toString(), "--serial",
                "CAL-7", token), err());
        assertTrue(out().contains("service manager active, last active day 2025-02-28 (0 days from today)"), out());
        assertTrue(out().contains("extended warranty not active"), out());
    }

    @Test
    void time_sign_answers_a_units_challenge_and_the_unit_accepts_it_once() throws Exception {
        assertEquals(0, run("keygen", "--out", dir.toString(), "--kid", "k1"), err());
        Clock unitClock = Clock.fixed(Instant.parse("2027-06-01T00:00:00Z"), ZoneOffset.UTC);  // a wrong clock
        SubscriptionService unit = SubscriptionService.open(SubscriptionSettings.defaults(PinnedKeys.parse(
                java.util.Map.of("k1", Files.readString(dir.resolve("k1.public.pem")))), dir.resolve("unit")),
                "CAL-7", unitClock);
        String nonce = unit.challenge().nonce();
        assertEquals(0, run("time", "sign", "--key", dir.resolve("k1.private.pem").toString(), "--kid", "k1",
                "--serial", "CAL-7", "--nonce", nonce), err());
        String statement = out().strip();

        assertEquals(0, run("time", "verify", "--pubkey", dir.resolve("k1.public.pem").toString(), "--serial", "CAL-7",
                "--nonce", nonce, statement), err());
        assertTrue(out().contains("time statement valid: sub=CAL-7 iss=oviron-subscriptions nonce=" + nonce), out());
        assertTrue(out().contains("time 2027-02-20T10:00:00Z (time_ms 1803117600000)"), out());
        assertEquals(1, run("time", "verify", "--pubkey", dir.resolve("k1.public.pem").toString(), "--serial", "CAL-7",
                "--nonce", "AAECAwQFBgcICQoLDA0ODw", statement));
        assertTrue(err().startsWith("time statement refused: unknown_nonce"), err());
        assertEquals(1, run("time", "verify", "--pubkey", dir.resolve("k1.public.pem").toString(), "--serial", "CAL-8",
                statement));
        assertTrue(err().startsWith("time statement refused: wrong_device"), err());

        assertEquals(Instant.parse("2027-02-20T10:00:00Z"), unit.setTime(statement, "console").status().clock()
                .trustedNow(), "the unit takes the vendor's time, back from its wrong clock");
        assertThrows(TokenRejectedException.class, () -> unit.setTime(statement, "console"), "once");
    }

    @Test
    void time_sign_usage_errors_exit_2() throws Exception {
        assertEquals(0, run("keygen", "--out", dir.toString(), "--kid", "k1"));
        String key = dir.resolve("k1.private.pem").toString();
        assertEquals(2, run("time", "sign", "--key", key, "--kid", "k1", "--serial", "CAL-7", "--nonce", "short"));
        assertTrue(err().contains("nonce must match"), err());
        assertEquals(2, run("time", "sign", "--key", key, "--kid", "k1", "--serial", "CAL-7", "--nonce",
                "AAECAwQFBgcICQoLDA0ODw", "--time", "yesterday"));
        assertTrue(err().contains("--time must be an instant"), err());
        assertEquals(2, run("time", "sign", "--key", key, "--kid", "k1", "--nonce", "AAECAwQFBgcICQoLDA0ODw"));
        assertTrue(err().contains("--serial is required"), err());
        assertEquals(0, run("--help"));
        assertTrue(out().contains("time sign") && out().contains("time verify"), out());
    }
}
