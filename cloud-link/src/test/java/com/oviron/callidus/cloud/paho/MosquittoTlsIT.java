package com.oviron.callidus.cloud.paho;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.TlsSettings;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.MosquittoBroker;
import com.oviron.callidus.cloud.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS against Debian's mosquitto, with certificates made by Debian's openssl in the test: the unit
 * connects with a PEM or PKCS#12 identity, refuses a broker it should not trust (other CA, other host name),
 * the broker refuses a unit without a client certificate, and the session survives a broker restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MosquittoTlsIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    private TestPki pki;
    private MosquittoBroker broker;
    private MosquittoBroker wrongHostBroker;

    @BeforeAll
    void start() throws Exception {
        pki = new TestPki(dir.resolve("pki"));
        pki.ca("oviron-ca");
        pki.ca("other-ca");
        pki.signed("oviron-ca", "broker", "IP:127.0.0.1,DNS:localhost");
        pki.signed("oviron-ca", "broker-elsewhere", "DNS:broker.elsewhere.example");
        pki.signed("oviron-ca", "CAL-TLS-1", "");
        pki.signed("other-ca", "intruder", "");
        pki.signed("oviron-ca", "cloud-service", "");
        broker = MosquittoBroker.startTls(dir.resolve("mosquitto"), dir.resolve("pki/oviron-ca.pem"),
                dir.resolve("pki/broker.pem"), pki.key("broker"));
        wrongHostBroker = MosquittoBroker.startTls(dir.resolve("mosquitto-elsewhere"),
                dir.resolve("pki/oviron-ca.pem"), dir.resolve("pki/broker-elsewhere.pem"), pki.key("broker-elsewhere"));
    }

    @AfterAll
    void stop() {
        broker.close();
        wrongHostBroker.close();
    }

    private PahoMqttConnection link(String uri, TlsSettings tls) {
        LinkSettings settings = new LinkSettings(uri, "CAL-TLS-1", Duration.ofSeconds(10), Duration.ofSeconds(3),
                new Backoff(Duration.ofMillis(100), Duration.ofMillis(500)), Optional.empty(), Optional.empty(), 16,
                Optional.of(tls));
        return new PahoMqttConnection(settings, new Topics("CAL-TLS-1").status(), "CAL-TLS-1", "test",
                Clock.systemUTC());
    }

    private TlsSettings pem(String ca, String client) {
        return new TlsSettings(dir.resolve("pki/" + ca + ".pem"), Optional.of(dir.resolve("pki/" + client + ".pem")),
                Optional.of(pki.key(client)), Optional.empty(), Optional.empty(), true);
    }

    @Test
    void connects_with_a_pem_identity_and_publishes() throws Exception {
        PahoMqttConnection link = link(broker.uri(), pem("oviron-ca", "CAL-TLS-1"));
        try {
            link.start();
            Await.until("TLS session up", WAIT, link::isConnected);
            link.publish("callidus/v1/CAL-TLS-1/x", new byte[] {1}, 1, false).get(10, TimeUnit.SECONDS);
        } finally {
            link.close();
        }
    }

    @Test
    void connects_with_a_pkcs12_identity() throws Exception {
        Path p12 = pki.pkcs12("CAL-TLS-1", "s3cret");
        TlsSettings tls = new TlsSettings(dir.resolve("pki/oviron-ca.pem"), Optional.empty(), Optional.empty(),
                Optional.of(p12), Optional.of("s3cret"), true);
        PahoMqttConnection link = link(broker.uri(), tls);
        try {
            link.start();
            Await.until("TLS session up", WAIT, link::isConnected);
        } finally {
            link.close();
        }
    }

    @Test
    void refuses_a_broker_whose_certificate_comes_from_another_ca() throws Exception {
        PahoMqttConnection link = link(broker.uri(), pem("other-ca", "CAL-TLS-1"));
        assertNeverConnects(link);
    }

    @Test
    void refuses_a_broker_certificate_made_out_to_another_host() throws Exception {
        PahoMqttConnection link = link(wrongHostBroker.uri(), pem("oviron-ca", "CAL-TLS-1"));
        assertNeverConnects(link);
    }

    @Test
    void the_broker_refuses_a_unit_without_a_trusted_client_certificate() throws Exception {
        assertNeverConnects(link(broker.uri(), pem("oviron-ca", "intruder")));
        TlsSettings anonymous = new TlsSettings(dir.resolve("pki/oviron-ca.pem"), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), true);
        assertNeverConnects(link(broker.uri(), anonymous));
    }

    @Test
    void reconnects_over_tls_after_a_broker_restart() throws Exception {
        PahoMqttConnection link = link(broker.uri(), pem("oviron-ca", "CAL-TLS-1"));
        try {
            link.start();
            Await.until("TLS session up", WAIT, link::isConnected);
            broker.stop();
            Await.until("link notices", WAIT, () -> !link.isConnected());
            broker.start();
            Await.until("TLS session up again", WAIT, link::isConnected);
            link.publish("callidus/v1/CAL-TLS-1/x", new byte[] {2}, 1, false).get(10, TimeUnit.SECONDS);
        } finally {
            link.close();
        }
    }

    @Test
    void the_persistent_session_survives_a_broker_restart_and_delivers_a_command_queued_meanwhile() throws Exception {
        String commands = new Topics("CAL-TLS-1").commands();
        LinkSettings unitSettings = new LinkSettings(broker.uri(), "CAL-TLS-1", Duration.ofSeconds(10),
                Duration.ofSeconds(3), new Backoff(Duration.ofMillis(100), Duration.ofMillis(500)), Optional.empty(),
                Optional.empty(), 16, Optional.of(pem("oviron-ca", "CAL-TLS-1"))).withPersistentSession(true);
        java.util.List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        PahoMqttConnection unit = new PahoMqttConnection(unitSettings, new Topics("CAL-TLS-1").status(), "CAL-TLS-1",
                "test", Clock.systemUTC());
        unit.subscribe(commands, 1, (topic, payload) -> got.add(new String(payload, StandardCharsets.UTF_8)));
        unit.start();
        Await.until("TLS session up", WAIT, unit::isConnected);
        // the session is up before the broker has answered the subscription: closing now could leave the
        // persistent session without it. A message to itself proves the subscription is in place (one sent
        // before the SUBSCRIBE reached the broker is not delivered: send again until one comes back)
        for (int probe = 0; !got.contains("probe"); probe++) {
            assertTrue(probe < 30, "the unit's subscription never took effect");
            unit.publish(commands, "probe".getBytes(StandardCharsets.UTF_8), 1, false).get(10, TimeUnit.SECONDS);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (!got.contains("probe") && System.nanoTime() < until) {
                Thread.sleep(10); // polling a condition, as Await does
            }
        }
        unit.close();

        broker.stop(); // SIGTERM: mosquitto saves its sessions
        broker.start();
        LinkSettings cloudSettings = new LinkSettings(broker.uri(), "cloud-service", Duration.ofSeconds(10),
                Duration.ofSeconds(3), new Backoff(Duration.ofMillis(100), Duration.ofMillis(500)), Optional.empty(),
                Optional.empty(), 16, Optional.of(pem("oviron-ca", "cloud-service")));
        PahoMqttConnection cloud = new PahoMqttConnection(cloudSettings, "cloud/status", "cloud-service", "test",
                Clock.systemUTC());
        try {
            cloud.start();
            Await.until("cloud connected over TLS", WAIT, cloud::isConnected);
            cloud.publish(commands, "queued-while-away".getBytes(StandardCharsets.UTF_8), 1, false)
                    .get(10, TimeUnit.SECONDS);
        } finally {
            cloud.close();
        }

        PahoMqttConnection again = new PahoMqttConnection(unitSettings, new Topics("CAL-TLS-1").status(), "CAL-TLS-1",
                "test", Clock.systemUTC());
        again.subscribe(commands, 1, (topic, payload) -> got.add(new String(payload, StandardCharsets.UTF_8)));
        try {
            again.start();
            Await.until("the command queued across the broker restart", WAIT,
                    () -> got.contains("queued-while-away"));
        } finally {
            again.close();
        }
    }

    @Test
    void a_plain_uri_with_tls_settings_is_refused_at_once() {
        assertThrows(IllegalArgumentException.class, () -> link("tcp://127.0.0.1:1", pem("oviron-ca", "CAL-TLS-1")));
    }

    /** Tries for a few seconds (several attempts with backoff); must never get a session. */
    private static void assertNeverConnects(PahoMqttConnection link) throws InterruptedException {
        try {
            link.start();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < end) {
                assertFalse(link.isConnected(), "connected although it must not");
                Thread.sleep(50); // observing over time: the property is that nothing happens
            }
        } finally {
            link.close();
        }
    }
}
