package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.oviron.callidus.agent.subscription.SubscriptionToken;
import com.oviron.callidus.agent.subscription.TokenSigner;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudCommander;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.hal.fake.ScriptedSensorPort;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The subscription gates the cloud services and nothing else: without a valid token the unit samples and
 * buffers as before but sends nothing except what is needed to receive a token; a token installed by command
 * releases the backlog; a lapsed token stops the sending again.
 */
class AgentSubscriptionIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String DEVICE = "CAL-SUB-1";

    @TempDir
    Path dir;

    private AgentConfig config(String brokerUri, String publicKeyPem) throws ConfigException {
        return AgentConfigLoader.parse("""
                {"device": {"id": "%s"},
                 "hal": {"source": "simulator", "samplePeriod": "20ms"},
                 "store": {"path": "agent.db", "groupCommitReadings": 50, "groupCommitDelay": "50ms"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "50ms", "reconnectMax": "300ms"},
                 "sync": {"batchMaxReadings": 100, "inFlightWindow": 4, "interval": "50ms", "healthInterval": "1s"},
                 "subscription": {"keys": {"k1": "%s"}}}
                """.formatted(DEVICE, brokerUri, publicKeyPem.replace("\n", "\\n")), dir);
    }

    private static String pem(KeyPair keys) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(keys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    private static String token(KeyPair keys, long serial, LocalDate purchase, Optional<LocalDate> paidUntil) {
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        return TokenSigner.sign(new SubscriptionToken("oviron-subscriptions", DEVICE, now, serial, purchase, paidUntil,
                Optional.empty(), 15, now), "k1", keys.getPrivate());
    }

    private static JsonObject install(CloudCommander cloud, String token) throws Exception {
        JsonObject args = new JsonObject();
        args.addProperty("token", token);
        return cloud.call("subscription.install", args, WAIT);
    }

    @Test
    void without_a_valid_token_readings_are_buffered_and_a_token_by_command_releases_them() throws Exception {
        KeyPair vendor = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        ScriptedSensorPort port = new ScriptedSensorPort(Clock.systemUTC(), 3);
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             CloudCommander cloud = new CloudCommander(broker.uri(), "cloud-sub", DEVICE,
                     new Topics(DEVICE).telemetry())) {
            Agent agent = Agent.start(config(broker.uri(), pem(vendor)), port, Clock.systemUTC());
            try {
                cloud.awaitOnline(1, WAIT);
                JsonObject state = cloud.call("subscription.get", null, WAIT).getAsJsonObject("result");
                assertEquals("no_token", state.get("state").getAsString(), state.toString());
                Await.until("readings pile up", WAIT, () -> agent.status().pending() > 300);
                assertTrue(cloud.subscriber().receivedOn(new Topics(DEVICE).telemetry()).isEmpty(),
                        "no telemetry without a token");
                assertEquals(0, agent.status().acknowledgedSeq());
                assertTrue(cloud.call("status.get", null, WAIT).get("ok").getAsBoolean(), "status stays allowed");
                JsonObject live = cloud.call("live.start", null, WAIT);
                assertEquals("not_entitled", live.getAsJsonObject("error").get("code").getAsString());

                // in its free first year: the backlog goes out
                JsonObject installed = install(cloud, token(vendor, 1, today.minusDays(30), Optional.empty()));
                assertTrue(installed.get("ok").getAsBoolean(), installed.toString());
                Await.until(() -> "backlog delivered: " + agent.status(), WAIT,
                        () -> agent.status().acknowledgedSeq() > 300);
                assertTrue(cloud.call("live.start", null, WAIT).get("ok").getAsBoolean());

                JsonObject older = install(cloud, token(vendor, 1, today.minusDays(31), Optional.empty()));
                assertEquals("invalid_argument", older.getAsJsonObject("error").get("code").getAsString(),
                        "a token serial that is not newer is refused");

                // paid until 60 days ago, grace over: sending stops again, sampling goes on
                JsonObject lapsed = install(cloud, token(vendor, 2, today.minusYears(3),
                        Optional.of(today.minusDays(60))));
                assertTrue(lapsed.get("ok").getAsBoolean(), lapsed.toString());
                assertEquals("lapsed", cloud.call("subscription.get", null, WAIT).getAsJsonObject("result")
                        .get("state").getAsString());
                long ackedAtLapse = agent.status().acknowledgedSeq();
                long samplesAtLapse = agent.status().samples();
                Await.until("unit keeps sampling", WAIT, () -> agent.status().samples() > samplesAtLapse + 50);
                // what was already in flight at the lapse is acknowledged (or failed, and then resent) in time
                Await.until(() -> "the batches in flight at the lapse acknowledged: " + agent.status(), WAIT,
                        () -> agent.status().batchesAcked() == agent.status().batchesPublished());
                long ackedAfter = agent.status().acknowledgedSeq();
                long publishedAfter = agent.status().batchesPublished();
                Await.until("more readings pile up", WAIT, () -> agent.status().lastSeq() > ackedAfter + 300);
                assertEquals(publishedAfter, agent.status().batchesPublished(), "nothing more is sent once lapsed");
                assertEquals(ackedAfter, agent.status().acknowledgedSeq(), "nothing more is acknowledged once lapsed");
                assertTrue(ackedAfter - ackedAtLapse <= 4 * 100, "at most the batches in flight at the lapse");
                assertFalse(agent.subscription().orElseThrow().cloudServicesAllowed());
            } finally {
                agent.close();
            }
        }
    }
}
