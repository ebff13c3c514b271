package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.MosquittoBroker;
import com.oviron.callidus.cloud.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent from a config file with mutual TLS, against Debian's mosquitto requiring client certificates. */
class AgentTlsIT {
    @TempDir
    Path dir;

    @Test
    void an_agent_configured_for_mutual_tls_sends_its_telemetry() throws Exception {
        TestPki pki = new TestPki(dir.resolve("pki"));
        pki.ca("oviron-ca");
        pki.signed("oviron-ca", "broker", "IP:127.0.0.1");
        pki.signed("oviron-ca", "CAL-TLS-2", "");
        try (MosquittoBroker broker = MosquittoBroker.startTls(dir.resolve("mosquitto"),
                dir.resolve("pki/oviron-ca.pem"), dir.resolve("pki/broker.pem"), pki.key("broker"))) {
            Path config = dir.resolve("agent.json");
            Files.writeString(config, """
                    {"device": {"id": "CAL-TLS-2"}, "hal": {"source": "simulator", "samplePeriod": "50ms"},
                     "store": {"path": "agent.db", "groupCommitDelay": "100ms"},
                     "mqtt": {"brokerUri": "%s",
                              "tls": {"caCertificate": "pki/oviron-ca.pem", "clientCertificate": "pki/CAL-TLS-2.pem",
                                      "clientKey": "pki/CAL-TLS-2.key"}},
                     "sync": {"interval": "100ms"}}
                    """.formatted(broker.uri()));
            try (Agent agent = Agent.start(AgentConfigLoader.load(config), Clock.systemUTC())) {
                Await.until(() -> "telemetry acknowledged over TLS: " + agent.status(), Duration.ofSeconds(60),
                        () -> agent.status().connected() && agent.status().acknowledgedSeq() > 50);
                assertTrue(broker.uri().startsWith("ssl://"));
            }
        }
    }
}
