package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.hal.GpioPort;
import com.oviron.callidus.hal.pi4j.Pi4jGpioPort;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent with GPIO on Pi4J's mock provider: treatment detection and the status LED following the link. */
class AgentGpioIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration HOLD_OFF = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    @Test
    void learns_about_treatments_from_the_inputs_and_shows_the_link_on_the_status_led() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"))) {
            AgentConfig config = AgentConfigLoader.parse("""
                    {"device": {"id": "CAL-GPIO-1"}, "hal": {"source": "simulator"}, "store": {"path": "agent.db"},
                     "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "50ms", "reconnectMax": "200ms"},
                     "gpio": {"provider": "mock",
                              "lines": {"foot_control": {"direction": "input", "pin": 17, "activeLow": true,
                                                         "debounce": "10ms"},
                                        "status_led": {"direction": "output", "pin": 22}},
                              "treatmentInputs": ["foot_control"], "treatmentHoldOff": "%dms",
                              "statusLed": "status_led"}}
                    """.formatted(broker.uri(), HOLD_OFF.toMillis()), dir);
            try (Agent agent = Agent.start(config, Clock.systemUTC())) {
                GpioPort gpio = agent.gpioPort().orElseThrow();
                Pi4jGpioPort mock = (Pi4jGpioPort) gpio;
                Await.until("status LED on once connected", WAIT, () -> gpio.isOutputActive("status_led"));
                assertFalse(agent.status().treatmentInProgress());

                mock.simulateRaw("foot_control", false); // active low: pressed
                Await.until("treatment seen", WAIT, () -> agent.status().treatmentInProgress());
                long beforeRelease = System.nanoTime();
                mock.simulateRaw("foot_control", true); // released
                // still in progress during the hold-off, then over: the release is stamped after beforeRelease, so
                // the treatment cannot be over before beforeRelease + HOLD_OFF, however slow this thread is
                boolean stillInProgress = agent.status().treatmentInProgress();
                long looked = System.nanoTime() - beforeRelease;
                assertTrue(stillInProgress || looked >= HOLD_OFF.toNanos(),
                        "over " + looked / 1_000_000 + " ms after the release, before the hold-off ended");
                Await.until("treatment over after the hold-off", WAIT, () -> !agent.status().treatmentInProgress());
                long over = System.nanoTime() - beforeRelease;
                assertTrue(over >= HOLD_OFF.toNanos(), "over " + over / 1_000_000 + " ms after the release");

                broker.stop();
                Await.until("status LED off while the link is down", WAIT, () -> !gpio.isOutputActive("status_led"));
            }
        }
    }
}
