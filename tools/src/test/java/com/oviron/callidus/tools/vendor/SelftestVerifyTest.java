package com.oviron.callidus.tools.vendor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.oviron.callidus.agent.selftest.SelfTestJws;
import com.oviron.callidus.agent.selftest.UnitKey;
import com.oviron.callidus.agent.subscription.PinnedKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vendor selftest verify}: a unit's signed self-test checked with its public key alone. */
class SelftestVerifyTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return VendorCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Clock.systemUTC());
    }

    private static JsonObject result(boolean passed) {
        JsonObject doc = new JsonObject();
        doc.addProperty("v", 1);
        doc.addProperty("kind", "callidus.selftest");
        doc.addProperty("device", "CAL-000123");
        doc.addProperty("at", 1_795_341_600_000L);
        doc.addProperty("agentVersion", "1.0.0");
        doc.addProperty("passed", passed);
        JsonArray checks = new JsonArray();
        JsonObject c = new JsonObject();
        c.addProperty("name", "broker");
        c.addProperty("code", "E107");
        c.addProperty("ok", passed);
        c.addProperty("detail", passed ? "connected" : "not connected");
        checks.add(c);
        doc.add("checks", checks);
        return doc;
    }

    @Test
    void a_passed_result_verifies_with_the_pem_or_the_raw_key_and_a_failed_one_exits_3() throws Exception {
        UnitKey key = UnitKey.loadOrCreate(dir.resolve("unit"));
        Files.writeString(dir.resolve("unit.pub.pem"), PinnedKeys.pem(key.publicKey()));
        Files.writeString(dir.resolve("result.jws"), SelfTestJws.sign(result(true), key) + "\n");
        assertEquals(0, run("selftest", "verify", "--pubkey", dir.resolve("unit.pub.pem").toString(),
                "@" + dir.resolve("result.jws")), err.toString());
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("signature valid: unit key " + key.keyId() + ", unit CAL-000123, at 2026-11-22T")
                && text.contains("self-test PASSED") && text.contains("ok   E107 broker: connected"), text);
        assertEquals(3, run("selftest", "verify", "--pubkey", PinnedKeys.rawBase64Url(key.publicKey()),
                SelfTestJws.sign(result(false), key)));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("FAIL E107 broker: not connected"));
    }

    @Test
    void a_result_from_another_unit_or_altered_is_refused() throws Exception {
        UnitKey key = UnitKey.loadOrCreate(dir.resolve("a"));
        UnitKey other = UnitKey.loadOrCreate(dir.resolve("b"));
        String jws = SelfTestJws.sign(result(true), key);
        assertEquals(1, run("selftest", "verify", "--pubkey", PinnedKeys.rawBase64Url(other.publicKey()), jws));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("not by the key given"));
        String[] parts = jws.split("\\.");
        String altered = parts[0] + "." + com.oviron.callidus.agent.subscription.Base64Url.encode(result(true)
                .toString().replace("CAL-000123", "CAL-000999").getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertEquals(1, run("selftest", "verify", "--pubkey", PinnedKeys.rawBase64Url(key.publicKey()), altered));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("signature does not verify"));
        assertEquals(2, run("selftest", "verify", jws), "the key is required");
    }
}
