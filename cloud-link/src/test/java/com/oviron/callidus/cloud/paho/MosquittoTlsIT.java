package com.oviron.callidus.cloud.paho;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.cloud.ConnectionListener;
import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.StatusMessage;
import com.oviron.callidus.cloud.TlsSettings;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.MosquittoBroker;
import com.oviron.callidus.cloud.testing.TcpProxy;
import com.oviron.callidus.cloud.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    /** Deadline for a TLS session or a broker restart; a passing run never waits this long. */
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Long enough for a TLS handshake and CONNACK on a loaded build machine: a timed-out attempt only retries. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

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
        LinkSettings settings = new LinkSettings(uri, "CAL-TLS-1", Duration.ofSeconds(10), CONNECT_TIMEOUT,
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
            link.publish("callidus/v1/CAL-TLS-1/x", new byte[] {1}, 1, false).get(WAIT.toSeconds(), TimeUnit.SECONDS);
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
        assertNeverConnects(broker, pem("other-ca", "CAL-TLS-1"),
                "connect failed: TLS failure: the broker's certificate is not trusted");
    }

    @Test
    void refuses_a_broker_certificate_made_out_to_another_host() throws Exception {
        assertNeverConnects(wrongHostBroker, pem("oviron-ca", "CAL-TLS-1"),
                "connect failed: TLS failure: the broker's certificate is not made out to '127.0.0.1' (host name mismatch)");
    }

    @Test
    void the_broker_refuses_a_unit_without_a_trusted_client_certificate() throws Exception {
        assertNeverConnects(broker, pem("oviron-ca", "intruder"), "connect failed: TLS failure: the broker refused"
                + " the unit's certificate");
        TlsSettings anonymous = new TlsSettings(dir.resolve("pki/oviron-ca.pem"), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), true);
        assertNeverConnects(broker, anonymous, "connect failed: TLS failure: the broker refused the unit's"
                + " certificate");
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
            link.publish("callidus/v1/CAL-TLS-1/x", new byte[] {2}, 1, false).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            link.close();
        }
    }

    @Test
    void the_persistent_session_survives_a_broker_restart_and_delivers_a_command_queued_meanwhile() throws Exception {
        String commands = new Topics("CAL-TLS-1").commands();
        LinkSettings unitSettings = new LinkSettings(broker.uri(), "CAL-TLS-1", Duration.ofSeconds(10),
                CONNECT_TIMEOUT, new Backoff(Duration.ofMillis(100), Duration.ofMillis(500)), Optional.empty(),
                Optional.empty(), 16, Optional.of(pem("oviron-ca", "CAL-TLS-1"))).withPersistentSession(true);
        java.util.List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        PahoMqttConnection unit = new PahoMqttConnection(unitSettings, new Topics("CAL-TLS-1").status(), "CAL-TLS-1",
                "test", Clock.systemUTC());
        unit.subscribe(commands, 1, (topic, payload) -> got.add(new String(payload, StandardCharsets.UTF_8)));
        long startedAt = System.currentTimeMillis();
        unit.start();
        // "online" comes once the broker has answered the unit's subscription; closing on "connected" alone
        // could end the session before the broker has the subscription that queues the command
        awaitOnline("CAL-TLS-1", startedAt);
        unit.close();

        broker.stop(); // SIGTERM: mosquitto saves its sessions
        broker.start();
        LinkSettings cloudSettings = new LinkSettings(broker.uri(), "cloud-service", Duration.ofSeconds(10),
                CONNECT_TIMEOUT, new Backoff(Duration.ofMillis(100), Duration.ofMillis(500)), Optional.empty(),
                Optional.empty(), 16, Optional.of(pem("oviron-ca", "cloud-service")));
        PahoMqttConnection cloud = new PahoMqttConnection(cloudSettings, "cloud/status", "cloud-service", "test",
                Clock.systemUTC());
        try {
            cloud.start();
            Await.until("cloud connected over TLS", WAIT, cloud::isConnected);
            cloud.publish(commands, "queued-while-away".getBytes(StandardCharsets.UTF_8), 1, false)
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
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

    /** Waits until {@code device} has announced itself online since {@code sinceMillis} (retained or live). */
    private void awaitOnline(String device, long sinceMillis) {
        String status = new Topics(device).status();
        List<StatusMessage> seen = new CopyOnWriteArrayList<>();
        LinkSettings settings = new LinkSettings(broker.uri(), "cloud-watch", Duration.ofSeconds(10),
                CONNECT_TIMEOUT, new Backoff(Duration.ofMillis(100), Duration.ofMillis(500)), Optional.empty(),
                Optional.empty(), 16, Optional.of(pem("oviron-ca", "cloud-service")));
        PahoMqttConnection watcher = new PahoMqttConnection(settings, "cloud/watch/status", "cloud-watch", "test",
                Clock.systemUTC());
        watcher.subscribe(status, 1, (topic, payload) -> {
            try {
                seen.add(StatusMessage.decode(payload));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        try {
            watcher.start();
            Await.until(() -> device + " online; status so far " + seen, WAIT,
                    () -> seen.stream().anyMatch(s -> s.online() && s.atMillis() >= sinceMillis));
        } finally {
            watcher.close();
        }
    }

    @Test
    void a_plain_uri_with_tls_settings_is_refused_at_once() {
        assertThrows(IllegalArgumentException.class, () -> link("tcp://127.0.0.1:1", pem("oviron-ca", "CAL-TLS-1")));
    }

    /**
     * Lets the unit try through a relay (at 127.0.0.1, the name the broker certificates are checked against)
     * that counts its connection attempts, until it has made three: the link starts an attempt only after the
     * one before has ended, so two whole attempts ended without a session, however long each took. Watching
     * for a fixed time instead would pass without a single attempt on a slow machine.
     */
    private void assertNeverConnects(MosquittoBroker target, TlsSettings tls, String failure) {
        try (TcpProxy relay = new TcpProxy(target.port())) {
            PahoMqttConnection link = link("ssl://127.0.0.1:" + relay.port(), tls);
            AtomicInteger sessions = new AtomicInteger();
            link.addListener(new ConnectionListener() {
                @Override
                public void connected() {
                    sessions.incrementAndGet();
                }

                @Override
                public void disconnected(String reason) {
                }
            });
            try {
                link.start();
                Await.until(() -> "three connection attempts, " + relay.connections() + " so far", WAIT,
                        () -> relay.connections() >= 3 || sessions.get() > 0);
                assertEquals(0, sessions.get(), "connected although it must not");
                assertFalse(link.isConnected(), "connected although it must not");
                // the log names the cause in a technician's words
                assertTrue(link.lastFailure().startsWith(failure), link.lastFailure());
            } finally {
                link.close();
            }
        }
    }
}
