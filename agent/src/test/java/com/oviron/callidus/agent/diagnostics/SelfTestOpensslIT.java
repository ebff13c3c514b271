package com.oviron.callidus.agent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.agent.Agent;
import com.oviron.callidus.agent.AgentConfigLoader;
import com.oviron.callidus.agent.subscription.Base64Url;
import com.oviron.callidus.cloud.ChannelCatalog;
import com.oviron.callidus.cloud.EventMessage;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudCommander;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.store.StoredEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signed self-test as Oviron checks it: the unit's public key taken from its channel catalog (nothing
 * else), the signature checked by openssl, an altered result refused. Needs {@code openssl} 3.x on the PATH.
 */
class SelfTestOpensslIT {
    private static final String DEVICE = "CAL-SELFTEST-1";
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410). */
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

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

    @Test
    void the_signed_result_verifies_with_openssl_from_the_catalogs_public_key_alone() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-catalog", Topics.ROOT + "/+/channels",
                     Topics.ROOT + "/+/events");
             CloudCommander commander = new CloudCommander(broker.uri(), "cloud-ops", DEVICE);
             Agent agent = Agent.start(AgentConfigLoader.parse("""
                     {"device": {"id": "%s"}, "hal": {"source": "simulator", "samplePeriod": "50ms"}, "store": {"path": "agent.db"},
                      "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "50ms", "reconnectMax": "200ms"},
                      "diagnostics": {"selftest": {"minFreeMb": 1}}}
                     """.formatted(DEVICE, broker.uri()), dir), Clock.systemUTC())) {
            commander.awaitOnline(1, WAIT);
            Await.until("the channel catalog", WAIT, () -> cloud.last(new Topics(DEVICE).channels()) != null);
            ChannelCatalog catalog = ChannelCatalog.decode(cloud.last(new Topics(DEVICE).channels()));
            ChannelCatalog.UnitKey key = catalog.unitKey().orElseThrow();
            byte[] raw = Base64Url.decode(key.publicKey());
            byte[] spki = new byte[SPKI_PREFIX.length + raw.length];
            System.arraycopy(SPKI_PREFIX, 0, spki, 0, SPKI_PREFIX.length);
            System.arraycopy(raw, 0, spki, SPKI_PREFIX.length, raw.length);
            Files.writeString(dir.resolve("unit.pub.pem"), "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getEncoder().encodeToString(spki) + "\n-----END PUBLIC KEY-----\n");

            Await.until("the board answering", WAIT, () -> agent.status().samples() > 20);
            JsonObject reply = commander.call("selftest", new JsonObject(), WAIT);
            assertTrue(reply.get("ok").getAsBoolean(), reply.toString());
            JsonObject result = reply.getAsJsonObject("result");
            assertTrue(result.get("passed").getAsBoolean(), "a sound simulated unit passes: " + result);
            String jws = result.get("jws").getAsString();
            String[] parts = jws.split("\\.");
            JsonObject header = JsonParser.parseString(new String(Base64Url.decode(parts[0]), StandardCharsets.UTF_8))
                    .getAsJsonObject();
            assertEquals(key.kid(), header.get("kid").getAsString());
            JsonObject doc = JsonParser.parseString(new String(Base64Url.decode(parts[1]), StandardCharsets.UTF_8))
                    .getAsJsonObject();
            assertEquals(DEVICE, doc.get("device").getAsString());
            assertTrue(doc.get("passed").getAsBoolean());
            JsonArray checks = doc.getAsJsonArray("checks");
            assertEquals(8, checks.size());
            for (JsonElement c : checks) {
                assertTrue(c.getAsJsonObject().get("ok").getAsBoolean(), c.toString());
            }

            Files.writeString(dir.resolve("input.txt"), parts[0] + "." + parts[1], StandardCharsets.US_ASCII);
            Files.write(dir.resolve("sig.bin"), Base64Url.decode(parts[2]));
            Result ok = openssl("pkeyutl", "-verify", "-pubin", "-inkey", "unit.pub.pem", "-rawin", "-in", "input.txt",
                    "-sigfile", "sig.bin");
            assertEquals(0, ok.exit(), ok.output());
            assertTrue(ok.output().contains("Signature Verified Successfully"), ok.output());

            JsonObject forged = doc.deepCopy();
            forged.addProperty("at", doc.get("at").getAsLong() + 86_400_000L);
            Files.writeString(dir.resolve("forged.txt"), parts[0] + "." + Base64Url.encode(forged.toString()
                    .getBytes(StandardCharsets.UTF_8)), StandardCharsets.US_ASCII);
            Result bad = openssl("pkeyutl", "-verify", "-pubin", "-inkey", "unit.pub.pem", "-rawin", "-in",
                    "forged.txt", "-sigfile", "sig.bin");
            assertNotEquals(0, bad.exit(), "a result with another date does not verify: " + bad.output());

            // the cloud also gets it as an event, to keep as proof
            Await.until("the selftest.done event", WAIT, () -> cloud.receivedOn(new Topics(DEVICE).events()).stream()
                    .anyMatch(m -> {
                        try {
                            StoredEvent e = EventMessage.decode(m.payload());
                            return e.kind().equals("selftest.done") && e.detail().orElse("").contains(jws);
                        } catch (Exception x) {
                            return false;
                        }
                    }));
        }
    }
}
