package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.oviron.callidus.agent.subscription.RetainedTokenListener;
import com.oviron.callidus.agent.subscription.SubscriptionToken;
import com.oviron.callidus.agent.subscription.TimeStatement;
import com.oviron.callidus.agent.subscription.TimeStatementSigner;
import com.oviron.callidus.agent.subscription.TokenSigner;
import com.oviron.callidus.cloud.TelemetryBatch;
import com.oviron.callidus.cloud.TelemetryBatchCodec;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudCommander;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.TelemetryRecord;
import com.oviron.callidus.store.sqlite.SqliteTelemetryOutbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trusted time through the packaged agent (issue 10): a cloud whose clock runs 30 days fast sends many
 * commands and tokens (by command and as the retained message) to a unit whose subscription has three days
 * left; the subscription stays active and telemetry keeps flowing, also after a restart. Then a mark planted
 * 60 days ahead in the state file (as the earlier rule could leave it) lapses the subscription; a signed time
 * statement answering the unit's challenge brings it back without a restart, and every reading reaches the
 * cloud.
 */
class AgentTrustedTimeIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path JAR = Path.of("target", "callidus-agent.jar");
    private static final String DEVICE = "CAL-TIME-1";
    private static final Duration FAST = Duration.ofDays(30);

    @TempDir
    Path dir;

    private Process start(Path config, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(),
                "--config", config.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    private static void stop(Process agent) throws InterruptedException {
        agent.destroy(); // SIGTERM
        try {
            assertTrue(agent.waitFor(30, TimeUnit.SECONDS), "agent did not stop on SIGTERM");
        } finally {
            agent.destroyForcibly();
        }
        assertEquals(143, agent.exitValue());
    }

    private static String pem(KeyPair keys) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(keys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    /** Paid until 3 days from today, no grace: one more day of trusted time is fine, four lapse it. */
    private static String token(KeyPair vendor, long serial, Instant time) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Instant t = time.truncatedTo(ChronoUnit.SECONDS);
        return TokenSigner.sign(new SubscriptionToken("oviron-subscriptions", DEVICE, t, serial,
                today.minusYears(2), Optional.of(today.plusDays(3)), Optional.empty(), 0, t), "k1", vendor.getPrivate());
    }

    /** A command from a cloud whose clock is 30 days fast; its expiry is what the unit's clock accepts. */
    private static JsonObject fastCall(CloudCommander cloud, String name, JsonObject args) throws Exception {
        String id = CloudCommander.newId();
        JsonObject o = new JsonObject();
        o.addProperty("v", 1);
        o.addProperty("id", id);
        o.addProperty("name", name);
        o.add("args", args == null ? new JsonObject() : args);
        o.addProperty("issuedAt", System.currentTimeMillis() + FAST.toMillis());
        o.addProperty("expiresAt", System.currentTimeMillis() + 60_000);
        cloud.sendRaw(o.toString());
        return cloud.awaitReply(id, 1, WAIT);
    }

    private static JsonObject result(JsonObject reply) {
        assertTrue(reply.get("ok").getAsBoolean(), reply.toString());
        return reply.getAsJsonObject("result");
    }

    private static JsonObject args(String name, String value) {
        JsonObject a = new JsonObject();
        a.addProperty(name, value);
        return a;
    }

    @Test
    void a_cloud_clock_days_ahead_cannot_lapse_the_subscription_and_a_wrong_mark_is_fixed_by_a_signed_statement()
            throws Exception {
        assertTrue(Files.exists(JAR), "run after package: " + JAR.toAbsolutePath());
        KeyPair vendor = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String telemetry = new Topics(DEVICE).telemetry();
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             CloudCommander cloud = new CloudCommander(broker.uri(), "cloud-time", DEVICE, telemetry)) {
            Path config = dir.resolve("agent.json");
            Files.writeString(config, """
                    {"device": {"id": "%s"},
                     "hal": {"source": "simulator", "seed": 3, "samplePeriod": "50ms"},
                     "store": {"path": "data/agent.db", "groupCommitDelay": "200ms"},
                     "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "100ms", "reconnectMax": "1s"},
                     "sync": {"interval": "100ms"},
                     "shutdown": {"drainTimeout": "10s"},
                     "subscription": {"keys": {"k1": "%s"}}}
                    """.formatted(DEVICE, broker.uri(), pem(vendor).replace("\n", "\\n")));
            Path log = dir.resolve("agent.log");

            // 1. a cloud clock 30 days fast: many commands, tokens by command and one retained
            Process agent = start(config, log);
            try {
                cloud.awaitOnline(1, WAIT);
                assertTrue(result(cloud.call("subscription.install", args("token", token(vendor, 1, Instant.now())),
                        WAIT)).get("installed").getAsBoolean());
                for (int i = 0; i < 30; i++) {
                    result(fastCall(cloud, "subscription.get", null));
                }
                for (long serial = 2; serial <= 11; serial++) {
                    result(fastCall(cloud, "subscription.install", args("token",
                            token(vendor, serial, Instant.now().plus(FAST)))));
                }
                publishRetained(broker.uri(), "{\"v\":1,\"token\":\"" + token(vendor, 12, Instant.now().plus(FAST))
                        + "\"}");
                Await.until("the retained token installed", WAIT, () -> subscription(cloud).getAsJsonObject("token")
                        .get("tsn").getAsLong() == 12);
                assertWithinTheBound(subscription(cloud), "after 30 fast commands and 11 fast tokens");
                int before = cloud.subscriber().receivedOn(telemetry).size();
                Await.until(() -> "telemetry keeps flowing; log:\n" + read(log), WAIT,
                        () -> cloud.subscriber().receivedOn(telemetry).size() > before + 5);

                // a cloud clock that fast also puts expiresAt 30 days ahead: refused, and nothing changes
                JsonObject o = new JsonObject();
                String id = CloudCommander.newId();
                o.addProperty("v", 1);
                o.addProperty("id", id);
                o.addProperty("name", "subscription.get");
                o.addProperty("issuedAt", System.currentTimeMillis() + FAST.toMillis());
                o.addProperty("expiresAt", System.currentTimeMillis() + FAST.toMillis() + 60_000);
                cloud.sendRaw(o.toString());
                assertEquals("expired", cloud.awaitReply(id, 1, WAIT).getAsJsonObject("error").get("code")
                        .getAsString());
            } finally {
                stop(agent);
            }

            // 2. a restart: the bound holds, the lead does not grow
            agent = start(config, log);
            try {
                cloud.awaitOnline(2, WAIT);
                result(fastCall(cloud, "subscription.install", args("token",
                        token(vendor, 13, Instant.now().plus(FAST)))));
                assertWithinTheBound(subscription(cloud), "after a restart and another fast token");
                int before = cloud.subscriber().receivedOn(telemetry).size();
                Await.until("telemetry flows after the restart", WAIT,
                        () -> cloud.subscriber().receivedOn(telemetry).size() > before + 5);
            } finally {
                stop(agent);
            }

            // 3. a wrong mark: 60 days ahead, as the earlier rule left it in its file (version 1)
            long now = System.currentTimeMillis();
            long wrong = now + Duration.ofDays(60).toMillis();
            Files.writeString(dir.resolve("data/trusted-time.json"), "{\"v\":1,\"markMs\":" + wrong
                    + ",\"lastLocalMs\":" + now + ",\"tampered\":false,\"jumpBackMs\":0,\"jumpBackAtMs\":-1,"
                    + "\"trustedSource\":\"command\",\"trustedAtMs\":" + wrong + "}");
            agent = start(config, log);
            try {
                cloud.awaitOnline(3, WAIT);
                JsonObject lapsed = subscription(cloud);
                assertEquals("lapsed", lapsed.get("state").getAsString(), lapsed.toString());
                assertEquals("jumped_back", lapsed.getAsJsonObject("clock").get("state").getAsString());
                assertEquals("not_entitled", cloud.call("diagnostics.get", null, WAIT).getAsJsonObject("error")
                        .get("code").getAsString());
                long pendingAtLapse = pending(cloud);
                int sentAtLapse = cloud.subscriber().receivedOn(telemetry).size();
                Await.until("readings pile up while lapsed", WAIT, () -> pending(cloud) > pendingAtLapse + 40);
                assertEquals(sentAtLapse, cloud.subscriber().receivedOn(telemetry).size(), "nothing sent while lapsed");

                int readingsAtLapse = seqs(cloud.subscriber(), telemetry).size();
                long backlog = pending(cloud);
                JsonObject challenge = result(cloud.call("clock.challenge", null, WAIT));
                assertEquals(DEVICE, challenge.get("device").getAsString());
                assertEquals("oviron-subscriptions", challenge.get("issuer").getAsString());
                Instant truth = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                String statement = TimeStatementSigner.sign(new TimeStatement("oviron-subscriptions", DEVICE,
                        challenge.get("nonce").getAsString(), truth), "k1", vendor.getPrivate());
                JsonObject set = result(cloud.call("clock.set", args("statement", statement), WAIT));
                // the wrong mark, advanced by the time since it was written (however long a loaded machine took)
                long before = set.get("trustedTimeBefore").getAsLong();
                assertTrue(before >= wrong - 1_000 && before <= wrong + (System.currentTimeMillis() - now) + 1_000,
                        "between " + wrong + " and " + (wrong + System.currentTimeMillis() - now) + ": " + set);
                assertTrue(Math.abs(set.get("trustedTime").getAsLong() - truth.toEpochMilli()) < 60_000, set.toString());
                assertEquals("active", set.getAsJsonObject("status").get("state").getAsString());
                assertEquals("trusted", set.getAsJsonObject("status").getAsJsonObject("clock").get("state")
                        .getAsString());
                Await.until(() -> "the backlog of " + backlog + " readings flows again without a restart; log:\n"
                        + read(log), WAIT, () -> seqs(cloud.subscriber(), telemetry).size() >= readingsAtLapse + backlog);
                JsonObject replay = cloud.call("clock.set", args("statement", statement), WAIT);
                assertTrue(replay.getAsJsonObject("error").get("message").getAsString()
                        .startsWith("args.statement: nonce_used: "), replay.toString());
                assertEquals("active", subscription(cloud).get("state").getAsString());
            } finally {
                stop(agent);
            }

            // nothing lost: everything the agent accepted was acknowledged and reached the cloud
            long lastSeq;
            try (SqliteTelemetryOutbox store = SqliteTelemetryOutbox.open(dir.resolve("data/agent.db"),
                    Durability.FULL)) {
                lastSeq = store.lastSeq();
                assertEquals(lastSeq, store.acknowledgedSeq(), "everything accepted was acknowledged");
            }
            long expected = lastSeq;
            Await.until("every reading at the cloud", WAIT, () -> seqs(cloud.subscriber(), telemetry).size() == expected);
            TreeSet<Long> seqs = seqs(cloud.subscriber(), telemetry);
            assertEquals(1L, seqs.first());
            assertEquals(expected, seqs.last());
            String output = read(log);
            assertTrue(output.contains("time statement accepted source=command"), output);
        }
    }

    /** Trusted time at most one day (the lead) ahead of own time, and own time is the real time. */
    private static void assertWithinTheBound(JsonObject subscription, String when) {
        JsonObject clock = subscription.getAsJsonObject("clock");
        long trusted = clock.get("trustedTime").getAsLong();
        long own = clock.get("ownTime").getAsLong();
        assertTrue(trusted - own <= Duration.ofDays(1).toMillis() && trusted >= own, when + ": " + clock);
        assertTrue(Math.abs(own - System.currentTimeMillis()) < 60_000, when + ": own time is the clock: " + clock);
        assertEquals("active", subscription.get("state").getAsString(), when + ": " + subscription);
        assertTrue(subscription.get("cloudServicesAllowed").getAsBoolean(), when);
    }

    private static JsonObject subscription(CloudCommander cloud) {
        try {
            return result(cloud.call("subscription.get", null, WAIT));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static long pending(CloudCommander cloud) {
        try {
            return result(cloud.call("status.get", null, WAIT)).get("pendingReadings").getAsLong();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void publishRetained(String uri, String payload) throws Exception {
        MqttClient client = new MqttClient(uri, "cloud-retained", new MemoryPersistence());
        client.connect();
        try {
            client.publish(RetainedTokenListener.topic(new Topics(DEVICE)), payload.getBytes(StandardCharsets.UTF_8), 1,
                    true);
        } finally {
            client.disconnect();
            client.close();
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static TreeSet<Long> seqs(CloudSubscriber cloud, String topic) {
        TreeSet<Long> seqs = new TreeSet<>();
        for (CloudSubscriber.Received m : cloud.receivedOn(topic)) {
            try {
                TelemetryBatch b = TelemetryBatchCodec.decode(m.payload());
                for (TelemetryRecord r : b.readings()) {
                    seqs.add(r.seq());
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return seqs;
    }
}
