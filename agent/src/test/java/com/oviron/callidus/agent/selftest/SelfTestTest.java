package com.oviron.callidus.agent.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.oviron.callidus.agent.diagnostics.ChannelInfo;
import com.oviron.callidus.agent.diagnostics.DiagnosticsSettings;
import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.store.diagnostics.AlarmRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfTestTest {
    private static final List<ChannelInfo> CHANNELS = DiagnosticsSettings.channelsOf(Optional.empty());
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-21T10:00:00Z"));

    @TempDir
    Path dir;

    /** A unit in good order; each test spoils one thing. */
    private final class Unit implements SelfTest.Facts {
        Optional<Instant> heard = Optional.of(clock.instant().minusMillis(100));
        List<Reading> newest = new ArrayList<>();
        SelfTest.GpioCheck gpio = new SelfTest.GpioCheck(false, Optional.empty(), Map.of());
        Map<String, String> storage = new HashMap<>(Map.of("agent.db", "ok", "diagnostics.db", "ok"));
        long free = 10L << 30;
        Optional<String> clockProblem = Optional.empty();
        boolean broker = true;
        List<AlarmRecord> alarms = new ArrayList<>();

        Unit() {
            for (ChannelInfo c : CHANNELS) {
                newest.add(new Reading(c.id(), (c.validMin() + c.validMax()) / 2, clock.instant(), Quality.GOOD));
            }
        }

        @Override
        public Optional<Instant> lastHeard() {
            return heard;
        }

        @Override
        public List<Reading> newest() {
            return newest;
        }

        @Override
        public SelfTest.GpioCheck gpio() {
            return gpio;
        }

        @Override
        public Map<String, String> storageChecks() {
            return storage;
        }

        @Override
        public long freeBytes() {
            return free;
        }

        @Override
        public Optional<String> clockProblem() {
            return clockProblem;
        }

        @Override
        public boolean brokerConnected() {
            return broker;
        }

        @Override
        public List<AlarmRecord> openAlarms() {
            return alarms;
        }
    }

    private JsonObject run(Unit u) {
        return new SelfTest(CHANNELS, 200L << 20, clock).run(u, "CAL-1", "1.0.0", "2026.12.1", "0123456789abcdef");
    }

    private static Map<String, JsonObject> checks(JsonObject doc) {
        Map<String, JsonObject> m = new HashMap<>();
        for (JsonElement e : doc.getAsJsonArray("checks")) {
            m.put(e.getAsJsonObject().get("name").getAsString(), e.getAsJsonObject());
        }
        return m;
    }

    @Test
    void a_sound_unit_passes_every_check() {
        JsonObject doc = run(new Unit());
        assertTrue(doc.get("passed").getAsBoolean(), doc.toString());
        assertEquals(List.of("alarms", "board", "broker", "channels", "clock", "disk", "gpio", "storage"),
                checks(doc).keySet().stream().sorted().toList());
        assertEquals("callidus.selftest", doc.get("kind").getAsString());
        assertEquals(clock.millis(), doc.get("at").getAsLong());
    }

    @Test
    void each_problem_fails_its_own_check_with_its_code() {
        Unit u = new Unit();
        u.heard = Optional.of(clock.instant().minusSeconds(6));
        u.newest.set(0, new Reading("supply_voltage", 31.2, clock.instant(), Quality.OUT_OF_RANGE));
        u.gpio = new SelfTest.GpioCheck(true, Optional.of("gpio chip busy"), Map.of());
        u.storage.put("diagnostics.db", "*** in database main *** Page 7: btreeInitPage() returns error code 11");
        u.free = 10L << 20;
        u.clockProblem = Optional.of("the clock was set back");
        u.broker = false;
        u.alarms.add(new AlarmRecord(3, "main_air_pressure.low", "A121", "main_air_pressure", true, false, 1, 2,
                OptionalLong.empty(), 1, 1.9, 4, 1.9, OptionalLong.empty(), "", OptionalLong.empty()));
        JsonObject doc = run(u);
        assertFalse(doc.get("passed").getAsBoolean());
        Map<String, JsonObject> c = checks(doc);
        Map<String, String> codes = Map.of("board", "E101", "channels", "E102", "gpio", "E103", "storage", "E104",
                "disk", "E105", "clock", "E106", "broker", "E107", "alarms", "E108");
        codes.forEach((name, code) -> {
            assertFalse(c.get(name).get("ok").getAsBoolean(), name);
            assertEquals(code, c.get(name).get("code").getAsString(), name);
        });
        assertTrue(c.get("channels").get("detail").getAsString().contains("supply_voltage 31.2 V"));
        assertEquals("A121", doc.getAsJsonArray("activeAlarms").get(0).getAsJsonObject().get("code").getAsString());
    }

    @Test
    void a_clock_before_the_agent_existed_is_not_sane() {
        clock.set(Instant.parse("2024-06-01T00:00:00Z"));
        Unit u = new Unit();
        assertFalse(checks(run(u)).get("clock").get("ok").getAsBoolean());
    }

    @Test
    void the_signed_result_verifies_with_the_public_key_alone_and_not_with_another_or_after_a_change() throws Exception {
        UnitKey key = UnitKey.loadOrCreate(dir);
        JsonObject doc = run(new Unit());
        String jws = SelfTestJws.sign(doc, key);
        assertEquals(doc, SelfTestJws.verify(jws, key.publicKey()));
        var other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SelfTestJws.verify(jws, other)).getMessage()
                .contains("not by the key given"));
        String[] parts = jws.split("\\.");
        JsonObject forged = doc.deepCopy();
        forged.addProperty("passed", false);
        String tampered = parts[0] + "." + com.oviron.callidus.agent.subscription.Base64Url.encode(forged.toString()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2];
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SelfTestJws.verify(tampered, key.publicKey()))
                .getMessage().contains("signature does not verify"));
    }

    @Test
    void the_unit_key_is_made_once_kept_owner_only_and_read_back_the_same() throws Exception {
        UnitKey first = UnitKey.loadOrCreate(dir);
        Path file = dir.resolve(UnitKey.FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String text = Files.readString(file);
        assertTrue(text.contains("-----BEGIN PRIVATE KEY-----") && text.contains("-----BEGIN PUBLIC KEY-----"));
        UnitKey again = UnitKey.loadOrCreate(dir);
        assertEquals(first.keyId(), again.keyId());
        assertEquals(first.publicKey(), again.publicKey());
        assertTrue(first.keyId().matches("[0-9a-f]{16}"));
    }

    @Test
    void a_damaged_key_file_is_moved_aside_and_a_new_key_is_made() throws Exception {
        UnitKey first = UnitKey.loadOrCreate(dir);
        Path file = dir.resolve(UnitKey.FILE);
        Files.writeString(file, "garbage");
        UnitKey second = UnitKey.loadOrCreate(dir);
        assertFalse(first.keyId().equals(second.keyId()));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.filter(p -> p.getFileName().toString().startsWith(UnitKey.FILE + ".damaged-")).count());
        }
    }
}
