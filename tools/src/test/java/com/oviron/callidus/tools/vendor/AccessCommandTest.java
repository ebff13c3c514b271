package com.oviron.callidus.tools.vendor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.oviron.callidus.agent.access.AccessTokenRejectedException;
import com.oviron.callidus.agent.access.AccessTokens;
import com.oviron.callidus.agent.access.PinResetToken;
import com.oviron.callidus.agent.access.Role;
import com.oviron.callidus.agent.access.ServiceRecord;
import com.oviron.callidus.agent.access.RecordSigner;
import com.oviron.callidus.agent.selftest.UnitKey;
import com.oviron.callidus.agent.subscription.PinnedKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vendor's technician tokens, PIN reset tokens and service record check, as the unit reads them. */
class AccessCommandTest {
    private static final Instant NOW = Instant.parse("2027-02-20T10:00:00Z");

    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private AccessTokens unit;

    @BeforeEach
    void keys() throws Exception {
        assertEquals(0, run("keygen", "--out", dir.toString(), "--kid", "t1"), err());
        unit = new AccessTokens("oviron-service", "CAL-000123", PinnedKeys.parse(Map.of("t1",
                Files.readString(dir.resolve("t1.public.pem")))));
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

    private String key() {
        return dir.resolve("t1.private.pem").toString();
    }

    @Test
    void signs_a_technician_token_the_unit_accepts() throws Exception {
        assertEquals(0, run("technician", "sign", "--key", key(), "--kid", "t1", "--technician", "T-4711", "--name",
                "Maria Ivanova", "--role", "service", "--device", "CAL-000123", "--valid", "8h"), err());
        AccessTokens.VerifiedTechnician t = unit.technician(out().strip(), NOW.plusSeconds(60));
        assertEquals("T-4711", t.claims().technicianId());
        assertEquals(Role.SERVICE, t.claims().role());
        assertEquals(NOW.plusSeconds(8 * 3600), t.claims().expiresAt());
        assertEquals(AccessTokenRejectedException.Reason.EXPIRED, org.junit.jupiter.api.Assertions.assertThrows(
                AccessTokenRejectedException.class, () -> unit.technician(out().strip(), NOW.plusSeconds(9 * 3600)))
                .reason());
    }

    @Test
    void refuses_a_role_or_a_validity_the_unit_would_refuse() {
        assertEquals(2, run("technician", "sign", "--key", key(), "--kid", "t1", "--technician", "T-1", "--role",
                "admin", "--device", "any"));
        assertTrue(err().contains("--role must be clinic or service"), err());
        assertEquals(2, run("technician", "sign", "--key", key(), "--kid", "t1", "--technician", "T-1", "--role",
                "clinic", "--device", "any", "--valid", "40d"));
        assertTrue(err().contains("at most 31 days"), err());
        assertEquals(2, run("pin-reset", "sign", "--key", key(), "--kid", "t1", "--device", "any", "--issued-by", "a"));
        assertTrue(err().contains("never any"), err());
    }

    @Test
    void signs_a_pin_reset_token_for_one_unit() throws Exception {
        assertEquals(0, run("pin-reset", "sign", "--key", key(), "--kid", "t1", "--device", "CAL-000123",
                "--issued-by", "support-ana"), err());
        PinResetToken r = unit.reset(out().strip(), NOW.plusSeconds(60));
        assertEquals("support-ana", r.issuedBy());
        assertEquals(NOW.plusSeconds(24 * 3600), r.expiresAt());
    }

    @Test
    void verifies_a_service_record_from_the_units_public_key_alone() throws Exception {
        RecordSigner unitKey = RecordSigner.of(UnitKey.loadOrCreate(dir.resolve("unit")));
        JsonObject doc = com.google.gson.JsonParser.parseString("""
                {"v":1,"kind":"callidus.service-record","id":"sr-CAL-000123-20270220T100000Z-s-1","device":"CAL-000123",
                 "agentVersion":"1.4.0","technician":{"id":"T-4711","role":"service","method":"token","tokenId":"j"},
                 "via":"console","session":"s-1","started":1803117600000,"ended":1803121200000,
                 "actions":[{"at":1803117700000,"action":"settings.put","args":{"document":"a.json"},"result":"ok","ok":true}],
                 "actionsIncomplete":false,"alarmsBefore":[],"alarmsAfter":[],"selfTest":null}
                """).getAsJsonObject();
        Path record = dir.resolve("record.jws");
        Files.writeString(record, ServiceRecord.sign(doc, unitKey) + "\n");
        Path keyFile = dir.resolve("unit").resolve(UnitKey.FILE);
        assertEquals(0, run("record", "verify", "--pubkey", keyFile.toString(), "@" + record), err());
        assertTrue(out().contains("service record valid: signed by unit key " + unitKey.keyId()), out());
        assertTrue(out().contains("settings.put"), out());

        RecordSigner other = RecordSigner.of(UnitKey.loadOrCreate(dir.resolve("other")));
        assertEquals(1, run("record", "verify", "--pubkey", PinnedKeys.rawBase64Url(other.publicKey()), "@" + record));
        assertTrue(err().contains("service record NOT valid"), err());
    }
}
