package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.LiveSnapshot;
import com.oviron.callidus.cloud.TelemetryBatchCodec;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudCommander;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.hal.fake.ScriptedSensorPort;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's commands through a real broker (HiveMQ CE embedded): the cloud side sends commands on
 * {@code callidus/v1/<id>/cmd} and reads the replies, including hostile messages and a command sent while
 * the unit was away (persistent session).
 */
class AgentCommandsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String DEVICE = "CAL-CMD-1";

    @TempDir
    Path dir;

    private AgentConfig config(String brokerUri) throws ConfigException {
        return AgentConfigLoader.parse("""
                {"device": {"id": "%s"},
                 "hal": {"source": "simulator", "samplePeriod": "20ms"},
                 "store": {"path": "agent.db", "groupCommitReadings": 50, "groupCommitDelay": "50ms"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "50ms", "reconnectMax": "300ms",
                          "connectTimeout": "10s", "keepAlive": "30s"},
                 "sync": {"batchMaxReadings": 50, "inFlightWindow": 4, "interval": "50ms", "healthInterval": "1s"},
                 "shutdown": {"drainTimeout": "60s"}}
                """.formatted(DEVICE, brokerUri), dir);
    }

    private static JsonObject args(String json) {
        return com.google.gson.JsonParser.parseString(json).getAsJsonObject();
    }

    private static String error(JsonObject reply) {
        assertFalse(reply.get("ok").getAsBoolean(), reply.toString());
        return reply.getAsJsonObject("error").get("code").getAsString();
    }

    private static JsonObject result(JsonObject reply) {
        assertTrue(reply.get("ok").getAsBoolean(), reply.toString());
        return reply.getAsJsonObject("result");
    }

    @Test
    void answers_status_diagnostics_report_log_level_and_live_mode_and_refuses_bad_commands() throws Exception {
        ScriptedSensorPort port = new ScriptedSensorPort(Clock.systemUTC(), 3);
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             CloudCommander cloud = new CloudCommander(broker.uri(), "cloud-cmd", DEVICE, new Topics(DEVICE).live(),
                     new Topics(DEVICE).telemetry())) {
            Agent agent = Agent.start(config(broker.uri()), port, Clock.systemUTC());
            try {
                cloud.awaitOnline(1, WAIT);

                JsonObject status = result(cloud.call("status.get", null, WAIT));
                assertEquals(DEVICE, status.get("device").getAsString());
                assertTrue(status.get("connected").getAsBoolean());
                assertEquals("info", status.get("logLevel").getAsString());

                Await.until("some readings", WAIT, () -> agent.status().samples() > 10);
                JsonObject diag = result(cloud.call("diagnostics.get", null, WAIT));
                JsonArray channels = diag.getAsJsonArray("channels");
                assertEquals(port.channels().size(), channels.size());
                for (JsonElement c : channels) {
                    assertEquals("good", c.getAsJsonObject().get("quality").getAsString(), c.toString());
                }
                assertTrue(diag.getAsJsonObject("counters").get("samples").getAsLong() > 10);
                assertTrue(diag.getAsJsonObject("storage").get("diskFreeBytes").getAsLong() > 0);
                assertTrue(diag.getAsJsonObject("versions").has("agent"));
                assertTrue(diag.getAsJsonObject("link").get("connected").getAsBoolean());

                // live mode: every sample of one channel (at most one per everyMs) for two seconds, then it stops
                // by itself
                String channel = port.channels().get(0).id();
                JsonObject live = result(cloud.call("live.start", args("{\"channels\":[\"" + channel
                        + "\"],\"seconds\":2}"), WAIT));
                assertTrue(live.get("active").getAsBoolean());
                long everyMs = live.get("everyMs").getAsLong();
                assertEquals(20, everyMs);
                long until = live.get("until").getAsLong();
                Await.until("live mode ends by itself", WAIT,
                        () -> !result(callQuietly(cloud, "status.get")).get("liveMode").getAsBoolean());
                // the session's messages go out from the sync's thread (every 0.5 s), the same thread that builds
                // the telemetry batches: once it has built batches for 3 s past the session's end, the session's
                // last message is out, however slow the machine
                Await.until("telemetry built 3 s after the session", WAIT,
                        () -> newestBatchBuilt(cloud) >= until + 3_000);
                List<LiveSnapshot.Reading> streamed = streamedReadings(cloud);
                Set<String> streamedChannels = new HashSet<>();
                streamed.forEach(r -> streamedChannels.add(r.channelId()));
                assertEquals(Set.of(channel), streamedChannels);
                assertEveryTakenSample(cloud, channel, streamed, everyMs);
                int afterEnd = streamMessages(cloud);
                long quietFrom = newestBatchBuilt(cloud);
                Await.until("telemetry built 2 s later", WAIT, () -> newestBatchBuilt(cloud) >= quietFrom + 2_000);
                assertEquals(afterEnd, streamMessages(cloud), "nothing streamed after the session ended");

                // the log level switches at run time
                JsonObject level = result(cloud.call("log.set-level", args("{\"level\":\"debug\"}"), WAIT));
                assertEquals("info", level.get("previous").getAsString());
                assertEquals("debug", result(cloud.call("status.get", null, WAIT)).get("logLevel").getAsString());
                assertEquals("invalid_argument", error(cloud.call("log.set-level", args("{\"level\":\"loud\"}"), WAIT)));
                result(cloud.call("log.set-level", args("{\"level\":\"info\"}"), WAIT));

                // a period report over what was just delivered
                Await.until("some readings acknowledged", WAIT, () -> agent.status().acknowledgedSeq() > 100);
                long now = System.currentTimeMillis();
                JsonObject report = result(cloud.call("report.get", args("{\"from\":" + (now - 3_600_000) + ",\"to\":"
                        + (now + 60_000) + ",\"bucketMinutes\":60}"), WAIT));
                JsonObject perChannel = report.getAsJsonObject("channels");
                assertEquals(port.channels().size(), perChannel.size(), report.toString());
                long counted = 0;
                for (Map.Entry<String, JsonElement> e : perChannel.entrySet()) {
                    for (JsonElement b : e.getValue().getAsJsonObject().getAsJsonArray("buckets")) {
                        counted += b.getAsJsonArray().get(1).getAsLong();
                    }
                }
                assertTrue(counted >= 100, "report counts the readings: " + counted);
                assertEquals("invalid_argument", error(cloud.call("report.get", args("{\"from\":0,\"to\":"
                        + now + ",\"bucketMinutes\":1}"), WAIT)));

                // hostile and unknown commands are answered, nothing crashes
                assertEquals("unknown_command", error(cloud.call("coffee.make", null, WAIT)));
                cloud.sendRaw("{\"v\":1,\"id\":\"bad-1\",\"name\":\"status.get\",\"expiresAt\":\"never\"}");
                assertEquals("malformed", error(cloud.awaitReply("bad-1", 1, WAIT)));
                cloud.sendRaw(CloudCommander.command("old-1", "status.get", null, Duration.ofMillis(-1000)));
                assertEquals("expired", error(cloud.awaitReply("old-1", 1, WAIT)));
                cloud.sendRaw("x".repeat(200 * 1024));
                String once = CloudCommander.command("twice-1", "live.start", args("{\"seconds\":1}"), WAIT);
                cloud.sendRaw(once);
                cloud.sendRaw(once);
                JsonObject first = cloud.awaitReply("twice-1", 1, WAIT);
                JsonObject second = cloud.awaitReply("twice-1", 2, WAIT);
                assertEquals(result(first), result(second));
                assertTrue(second.get("repeated").getAsBoolean());
                assertTrue(result(cloud.call("status.get", null, WAIT)).get("connected").getAsBoolean(),
                        "still answering after the hostile messages");
            } finally {
                agent.close();
            }
            // telemetry was not disturbed by live mode: every reading accepted was delivered
            assertEquals(agent.status().lastSeq(), agent.status().acknowledgedSeq());
        }
    }

    private static List<LiveSnapshot.Reading> streamedReadings(CloudCommander cloud) throws Exception {
        List<LiveSnapshot.Reading> streamed = new java.util.ArrayList<>();
        for (CloudSubscriber.Received m : cloud.subscriber().receivedOn(new Topics(DEVICE).live())) {
            LiveSnapshot message = LiveSnapshot.decode(m.payload());
            if (message.kind().equals(LiveSnapshot.STREAM)) {
                streamed.addAll(message.readings());
            }
        }
        return streamed;
    }

    /** When the newest telemetry message at the cloud was built (its sentAt), by the unit's clock. */
    private static long newestBatchBuilt(CloudCommander cloud) {
        long newest = 0;
        for (CloudSubscriber.Received m : cloud.subscriber().receivedOn(new Topics(DEVICE).telemetry())) {
            try {
                newest = Math.max(newest, TelemetryBatchCodec.decode(m.payload()).sentAtMillis());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return newest;
    }

    /**
     * The live stream against the telemetry stream of the same channel, sample by sample from the first to the
     * last streamed one: a sample is streamed exactly when at least {@code everyMs} passed since the last
     * streamed one, with the same time and value as in telemetry. (On a loaded machine the sampler catches up
     * with samples closer than the sample period; those are the ones left out.)
     */
    private static void assertEveryTakenSample(CloudCommander cloud, String channel,
                                               List<LiveSnapshot.Reading> streamed, long everyMs) {
        assertFalse(streamed.isEmpty(), "nothing streamed");
        long lastStreamed = streamed.get(streamed.size() - 1).timestampMillis();
        java.util.TreeMap<Long, com.oviron.callidus.store.TelemetryRecord> bySeq = new java.util.TreeMap<>();
        Await.until("telemetry up to the last streamed sample", WAIT, () -> {
            bySeq.clear();
            for (CloudSubscriber.Received m : cloud.subscriber().receivedOn(new Topics(DEVICE).telemetry())) {
                try {
                    TelemetryBatchCodec.decode(m.payload()).readings().forEach(r -> bySeq.put(r.seq(), r));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
            // the stream arrives in order: from 1 without a gap, up to a reading newer than the last streamed one
            long expected = 1;
            for (var r : bySeq.values()) {
                if (r.seq() != expected++) {
                    return false;
                }
                if (r.channelId().equals(channel) && r.timestampMillis() > lastStreamed) {
                    return true;
                }
            }
            return false;
        });
        List<com.oviron.callidus.store.TelemetryRecord> samples = bySeq.values().stream()
                .filter(r -> r.channelId().equals(channel)).toList();
        java.util.Map<Double, LiveSnapshot.Reading> byValue = new java.util.HashMap<>();
        streamed.forEach(r -> assertNull(byValue.put(r.value(), r), "streamed twice: " + r));
        int at = 0;
        while (at < samples.size() && samples.get(at).value() != streamed.get(0).value()) {
            at++;
        }
        assertTrue(at < samples.size(), "the first streamed reading is no sample of the channel: " + streamed.get(0));
        long lastTaken = Long.MIN_VALUE;
        int matched = 0;
        for (var r : samples.subList(at, samples.size())) {
            LiveSnapshot.Reading s = byValue.get(r.value());
            boolean due = lastTaken == Long.MIN_VALUE || r.timestampMillis() - lastTaken >= everyMs;
            if (s != null) {
                assertTrue(due, "streamed " + s + " only " + (r.timestampMillis() - lastTaken) + " ms after the last");
                assertEquals(r.timestampMillis(), s.timestampMillis(), "time of " + s);
                lastTaken = r.timestampMillis();
                matched++;
            } else if (r.timestampMillis() <= lastStreamed) {
                assertFalse(due, "sample " + r + " was due but not streamed");
            }
        }
        assertEquals(streamed.size(), matched, "every streamed reading is a sample of the channel");
    }

    private static int streamMessages(CloudCommander cloud) throws Exception {
        int n = 0;
        for (CloudSubscriber.Received m : cloud.subscriber().receivedOn(new Topics(DEVICE).live())) {
            if (LiveSnapshot.decode(m.payload()).kind().equals(LiveSnapshot.STREAM)) {
                n++;
            }
        }
        return n;
    }

    private static JsonObject callQuietly(CloudCommander cloud, String name) {
        try {
            return cloud.call(name, null, WAIT);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void a_command_sent_while_the_unit_was_away_is_carried_out_when_it_comes_back() throws Exception {
        ScriptedSensorPort port = new ScriptedSensorPort(Clock.systemUTC(), 3);
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             CloudCommander cloud = new CloudCommander(broker.uri(), "cloud-away", DEVICE)) {
            Agent agent = Agent.start(config(broker.uri()), port, Clock.systemUTC());
            cloud.awaitOnline(1, WAIT);
            result(cloud.call("status.get", null, WAIT));
            agent.close();

            String id = CloudCommander.newId();
            cloud.sendRaw(CloudCommander.command(id, "log.set-level", args("{\"level\":\"warn\"}"),
                    Duration.ofMinutes(5)));
            Agent again = Agent.start(config(broker.uri()), new ScriptedSensorPort(Clock.systemUTC(), 3),
                    Clock.systemUTC());
            try {
                JsonObject reply = cloud.awaitReply(id, 1, WAIT);
                assertEquals("warn", result(reply).get("level").getAsString());
                // the same id again, after the restart: answered from the journal, not carried out again
                cloud.sendRaw(CloudCommander.command(id, "log.set-level", args("{\"level\":\"warn\"}"),
                        Duration.ofMinutes(5)));
                assertTrue(cloud.awaitReply(id, 2, WAIT).get("repeated").getAsBoolean());
            } finally {
                result(cloud.call("log.set-level", args("{\"level\":\"info\"}"), WAIT));
                again.close();
            }
        }
    }
}
