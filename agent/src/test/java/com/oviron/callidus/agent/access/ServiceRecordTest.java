package com.oviron.callidus.agent.access;

import com.oviron.callidus.agent.selftest.UnitKey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceRecordTest {
    @TempDir
    Path dir;
    private AccessFixture f;
    private RecordSigner key;
    private final List<Path> sent = new ArrayList<>();
    private SignedServiceRecords records;
    private Optional<SelfTestResults.Result> selfTest = Optional.empty();
    private List<String> alarmsNow = List.of();

    @BeforeEach
    void open() throws Exception {
        f = new AccessFixture(dir);
        key = RecordSigner.of(UnitKey.loadOrCreate(dir));
        records = new SignedServiceRecords(AccessFixture.SERIAL, "1.4.0", f.auditor, key,
                since -> selfTest.filter(r -> !r.at().isBefore(since)), () -> alarmsNow, dir.resolve("service-records"),
                () -> Optional.of(file -> {
                    sent.add(file);
                    return "u-1";
                }), f.clock);
    }

    @AfterEach
    void close() {
        f.close();
    }

    /** A technician logs in, changes something, and ends the visit with a record. */
    private List<String> visit() throws Exception {
        Origin origin = new Origin(Origin.CONSOLE, "s-visit");
        Principal who = ((Authenticator.LoggedIn) f.auth().loginWithToken(f.technician(Role.SERVICE), origin)).who();
        f.clock.advance(Duration.ofMinutes(5));
        JsonObject args = new JsonObject();
        args.addProperty("document", "installation.json");
        JsonObject ok = new JsonObject();
        ok.addProperty("ok", true);
        f.auditor.command(who.actor(), "service", origin, "settings.put", args, ok);
        f.auditor.command("cloud", "-", Origin.of(Origin.CLOUD), "display.rollback", new JsonObject(), ok);
        f.clock.advance(Duration.ofMinutes(10));
        selfTest = Optional.of(new SelfTestResults.Result(f.clock.instant(), true, "12 of 12 checks passed",
                Optional.of("eyJ.signed.selftest")));
        f.clock.advance(Duration.ofMinutes(15));
        alarmsNow = List.of();
        return records.write(new ServiceRecords.Session(who, origin, AccessFixture.NOW,
                List.of("water_pressure out_of_range since 2026-12-11 07:40 UTC")));
    }

    private String savedRecord() throws Exception {
        try (var files = Files.list(dir.resolve("service-records"))) {
            return Files.readString(files.findFirst().orElseThrow()).strip();
        }
    }

    @Test
    void records_the_session_signs_it_saves_it_and_sends_it() throws Exception {
        List<String> lines = visit();
        JsonObject doc = ServiceRecord.verify(savedRecord(), key.publicKey());
        assertEquals("CAL-000123", doc.get("device").getAsString());
        assertEquals("T-4711", doc.getAsJsonObject("technician").get("id").getAsString());
        assertEquals("Maria Ivanova", doc.getAsJsonObject("technician").get("name").getAsString());
        assertEquals(AccessFixture.NOW.toEpochMilli(), doc.get("started").getAsLong());
        assertEquals(AccessFixture.NOW.plus(Duration.ofMinutes(30)).toEpochMilli(), doc.get("ended").getAsLong());
        List<String> actions = new ArrayList<>();
        doc.getAsJsonArray("actions").forEach(a -> actions.add(a.getAsJsonObject().get("action").getAsString()));
        assertEquals(List.of("login", "settings.put"), actions, "only this session's actions, the cloud's are not");
        assertFalse(doc.get("actionsIncomplete").getAsBoolean());
        assertEquals("water_pressure out_of_range since 2026-12-11 07:40 UTC",
                doc.getAsJsonArray("alarmsBefore").get(0).getAsString());
        assertEquals(0, doc.getAsJsonArray("alarmsAfter").size());
        assertTrue(doc.getAsJsonObject("selfTest").get("passed").getAsBoolean());
        assertEquals(1, sent.size());
        assertTrue(String.join("\n", lines).contains("being sent to the cloud (transfer u-1)"), lines.toString());
        assertTrue(lines.get(0).startsWith("SERVICE RECORD sr-CAL-000123-20261211T083000Z"), lines.get(0));
        assertTrue(lines.contains("alarms after : none"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("self-test    : passed at 2026-12-11 08:15 UTC")), lines
                .toString());
        assertTrue(f.events.stream().anyMatch(e -> e.startsWith("audit.service_record action=service_record actor=T-4711")));
    }

    @Test
    void a_changed_record_or_another_units_key_does_not_verify() throws Exception {
        visit();
        String jws = savedRecord();
        String[] parts = jws.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("settings.put", "settings.get");
        String changed = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertThrows(IllegalArgumentException.class, () -> ServiceRecord.verify(changed, key.publicKey()));
        RecordSigner other = RecordSigner.of(UnitKey.loadOrCreate(dir.resolve("other-unit")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServiceRecord.verify(jws, other.publicKey()));
        assertTrue(e.getMessage().contains("another unit key"), e.getMessage());
    }

    @Test
    void the_unit_key_is_made_once_kept_private_and_read_again() throws Exception {
        Path file = dir.resolve(UnitKey.FILE);
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(file));
        RecordSigner again = RecordSigner.of(UnitKey.loadOrCreate(dir));
        assertEquals(key.keyId(), again.keyId());
        assertFalse(key.toString().contains("PRIVATE"));
        Files.writeString(file, "garbage");
        RecordSigner fresh = RecordSigner.of(UnitKey.loadOrCreate(dir));
        assertFalse(fresh.keyId().equals(key.keyId()), "a damaged key file is replaced by a new key");
    }

    @Test
    void without_the_login_entry_the_record_says_it_is_incomplete() throws Exception {
        Principal who = Principal.clinic();
        List<String> lines = records.write(new ServiceRecords.Session(who, new Origin(Origin.CONSOLE, "s-none"),
                Instant.parse("2026-12-11T07:00:00Z"), List.of()));
        assertTrue(lines.stream().anyMatch(l -> l.contains("the oldest of this session were removed")), lines.toString());
    }
}
