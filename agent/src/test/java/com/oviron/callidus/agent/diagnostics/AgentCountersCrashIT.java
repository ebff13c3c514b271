package com.oviron.callidus.agent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudCommander;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged agent in a child JVM, killed with SIGKILL while it counts: every counter value it has reported
 * is still there after the restart (reported values are stored values), the counters go on from there, and
 * the next start knows it was not stopped cleanly.
 */
class AgentCountersCrashIT {
    private static final Path JAR = Path.of("target", "callidus-agent.jar");
    private static final String DEVICE = "CAL-COUNT-1";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int KILLS = 3;

    @TempDir
    Path dir;

    private Process start(Path config, int run) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toString(), "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agent-" + run + ".log").toFile()))
                .start();
    }

    /** Operating seconds, always-on instrument seconds and chair movements, as diagnostics.get reports them. */
    private record Counters(long operating, long alwaysOn, long movements) {
        boolean atLeast(Counters o) {
            return operating >= o.operating && alwaysOn >= o.alwaysOn && movements >= o.movements;
        }

        boolean beyond(Counters o) {
            return operating > o.operating && alwaysOn > o.alwaysOn && movements > o.movements;
        }
    }

    private static Counters read(JsonObject diagnostics) {
        JsonObject u = diagnostics.getAsJsonObject("usage");
        return new Counters(u.getAsJsonObject("operating").get("seconds").getAsLong(),
                u.getAsJsonObject("instruments").getAsJsonObject("always_on").get("seconds").getAsLong(),
                u.getAsJsonObject("chairMovements").get("count").getAsLong());
    }

    private static JsonObject diagnostics(CloudCommander cloud) throws Exception {
        JsonObject reply = cloud.call("diagnostics.get", new JsonObject(), WAIT);
        assertTrue(reply.get("ok").getAsBoolean(), reply.toString());
        return reply.getAsJsonObject("result");
    }

    @Test
    void counters_survive_sigkill_and_go_on_from_what_was_reported() throws Exception {
        assertTrue(Files.exists(JAR), "run after package: " + JAR.toAbsolutePath());
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             CloudCommander cloud = new CloudCommander(broker.uri(), "cloud-counters", DEVICE)) {
            Path config = dir.resolve("agent.json");
            // the suction vacuum rests around 0 with sensor noise: "movements" come many times a second, so the
            // test does not depend on the simulated dentist's hours
            Files.writeString(config, """
                    {"device": {"id": "%s"},
                     "hal": {"source": "simulator", "samplePeriod": "20ms"},
                     "store": {"path": "agent.db"},
                     "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "50ms", "reconnectMax": "200ms"},
                     "diagnostics": {"flushInterval": "1s",
                                     "usage": {"instruments": {"always_on": {"channel": "board_temperature", "above": 0}},
                                               "chairMovements": {"channel": "suction_vacuum", "above": 0.0}}}}
                    """.formatted(DEVICE, broker.uri()));
            Counters reported = new Counters(0, 0, 0);
            for (int run = 0; run < KILLS; run++) {
                Process agent = start(config, run);
                cloud.awaitOnline(run + 1, WAIT);
                JsonObject first = diagnostics(cloud);
                Counters afterRestart = read(first);
                assertTrue(afterRestart.atLeast(reported), "run " + run + ": nothing reported before the kill is lost: "
                        + reported + " then " + afterRestart);
                if (run > 0) {
                    assertTrue(first.getAsJsonObject("selftest").get("lastRestartReason").getAsString()
                            .startsWith("unexpected"), first.getAsJsonObject("selftest").toString());
                }
                Counters before = afterRestart;
                Counters[] now = {before};
                Await.until(() -> "counters growing beyond " + before + ", now " + now[0], WAIT, () -> {
                    try {
                        now[0] = read(diagnostics(cloud));
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                    return now[0].beyond(before) && now[0].operating() >= before.operating() + 2;
                });
                reported = now[0];
                agent.destroyForcibly(); // SIGKILL
                assertTrue(agent.waitFor(20, TimeUnit.SECONDS));
                assertEquals(137, agent.exitValue(), "killed by SIGKILL");
            }
            Process last = start(config, KILLS);
            cloud.awaitOnline(KILLS + 1, WAIT);
            Counters end = read(diagnostics(cloud));
            assertTrue(end.atLeast(reported), reported + " then " + end);
            last.destroy();
            assertTrue(last.waitFor(60, TimeUnit.SECONDS));
            System.out.printf("counters crash test: %d kills, last reported %s, after the restart %s%n", KILLS,
                    reported, end);
        }
    }
}
