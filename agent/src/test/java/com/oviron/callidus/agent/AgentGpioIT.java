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
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void learns_about_treatments_from_the_inputs_and_shows_the_link_on_the_status_led() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"))) {
            AgentConfig config = AgentConfigLoader.parse("""
                    {"device": {"id": "CAL-GPIO-1"}, "store": {"path": "agent.db"},
                     "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "50ms", "reconnectMax": "200ms"},
                     "gpio": {"provider": "mock",
                              "lines": {"foot_control": {"direction": "input", "pin": 17, "activeLow": true,
                                                         "debounce": "10ms"},
                                        "status_led": {"direction": "output", "pin": 22}},
                              "treatmentInputs": ["foot_control"], "treatmentHoldOff": "300ms",
                              "statusLed": "status_led"}}
                    """.formatted(broker.uri()), dir);
            try (Agent agent = Agent.start(config, Clock.systemUTC())) {
                GpioPort gpio = agent.gpioPort().orElseThrow();
                Pi4jGpioPort mock = (Pi4jGpioPort) gpio;
                Await.until("status LED on once connected", WAIT, () -> gpio.isOutputActive("status_led"));
                assertFalse(agent.status().treatmentInProgress());

                mock.simulateRaw("foot_control", false); // active low: pressed
                Await.until("treatment seen", WAIT, () -> agent.status().treatmentInProgress());
                mock.simulateRaw("foot_control", true); // released
                // still in progress during the hold-off, then over
                assertTrue(agent.status().treatmentInProgress());
                Await.until("treatment over after the hold-off", WAIT, () -> !agent.status().treatmentInProgress());

                broker.stop();
                Await.until("status LED off while the link is down", WAIT, () -> !gpio.isOutputActive("status_led"));
            }
        }
    }
}
