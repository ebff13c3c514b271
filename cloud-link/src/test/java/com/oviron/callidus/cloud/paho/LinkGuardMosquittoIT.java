package com.oviron.callidus.cloud.paho;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.cloud.ConnectionListener;
import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.LinkStats;
import com.oviron.callidus.cloud.MessageListener;
import com.oviron.callidus.cloud.MqttProtocol;
import com.oviron.callidus.cloud.TlsSettings;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.MosquittoBroker;
import com.oviron.callidus.cloud.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The guarded link in MQTT 3.1.1 (which cannot tell the broker the largest packet the unit takes, so the guard
 * alone stands between a huge message and the unit's memory; MQTT 5's CONNECT limit is in the contract tests)
 * against Debian's mosquitto (default settings: no message size limit), over plain TCP and
 * mutual TLS: a message far larger than the unit reads is dropped unread and acknowledged, the session stays
 * up, and the broker does not send it again; a frozen broker (SIGSTOP) is noticed by the silence watchdog, a
 * connect to it is abandoned after the connect timeout, and the link comes back when the broker does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LinkGuardMosquittoIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String UNIT = "CAL-GUARD-1";

    @TempDir
    static Path dir;
    private TestPki pki;
    private MosquittoBroker plain;
    private MosquittoBroker tls;

    @BeforeAll
    void start() throws Exception {
        pki = new TestPki(dir.resolve("pki"));
        pki.ca("oviron-ca");
        pki.signed("oviron-ca", "broker", "IP:127.0.0.1,DNS:localhost");
        pki.signed("oviron-ca", UNIT, "");
        pki.signed("oviron-ca", "cloud-service", "");
        plain = MosquittoBroker.start(dir.resolve("plain"));
        tls = MosquittoBroker.startTls(dir.resolve("tls"), dir.resolve("pki/oviron-ca.pem"),
                dir.resolve("pki/broker.pem"), pki.key("broker"));
    }

    @AfterAll
    void stop() {
        plain.close();
        tls.close();
    }

    private MosquittoBroker broker(String transport) {
        return transport.equals("tls") ? tls : plain;
    }

    private LinkSettings settings(String transport, String clientId, Duration keepAlive) {
        Optional<TlsSettings> identity = transport.equals("tls")
                ? Optional.of(new TlsSettings(dir.resolve("pki/oviron-ca.pem"),
                Optional.of(dir.resolve("pki/" + clientId + ".pem")), Optional.of(pki.key(clientId)), Optional.empty(),
                Optional.empty(), true))
                : Optional.empty();
        return new LinkSettings(broker(transport).uri(), clientId, keepAlive, Duration.ofSeconds(5),
                new Backoff(Duration.ofMillis(100), Duration.ofMillis(500)), Optional.empty(), Optional.empty(), 16,
                identity, true).withProtocol(MqttProtocol.MQTT_3_1_1);
    }

    /** What a subscriber on the command topic saw. */
    private static final class Seen implements MessageListener {
        final List<String> messages = new CopyOnWriteArrayList<>();
        final List<Long> tooLarge = new CopyOnWriteArrayList<>();

        @Override
        public void arrived(String topic, byte[] payload) {
            messages.add(payload.length < 100 ? new String(payload, StandardCharsets.UTF_8) : "bytes:" + payload.length);
        }

        @Override
        public void tooLarge(String topic, long payloadBytes) {
            tooLarge.add(payloadBytes);
        }
    }

    /** Connection events with the time they came. */
    private static final class Events implements ConnectionListener {
        final List<String> lost = new CopyOnWriteArrayList<>();
        volatile int connects;

        @Override
        public void connected() {
            connects++;
        }

        @Override
        public void disconnected(String reason) {
            lost.add(reason);
        }
    }

    private PahoMqttConnection unit(String transport, Duration keepAlive, Seen seen, Events events) {
        PahoMqttConnection link = new PahoMqttConnection(settings(transport, UNIT, keepAlive), new Topics(UNIT).status(),
                UNIT, "test", Clock.systemUTC());
        link.subscribe(new Topics(UNIT).commands(), 1, seen);
        link.addListener(events);
        link.start();
        Await.until("unit connected over " + transport, WAIT, link::isConnected);
        return link;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "tls"})
    void a_message_far_over_the_limit_is_dropped_unread_acknowledged_and_not_sent_again(String transport)
            throws Exception {
        String commands = new Topics(UNIT).commands();
        Seen seen = new Seen();
        Events events = new Events();
        PahoMqttConnection unit = unit(transport, Duration.ofSeconds(10), seen, events);
        PahoMqttConnection cloud = new PahoMqttConnection(settings(transport, "cloud-service", Duration.ofSeconds(10))
                .withPersistentSession(false), "cloud/status", "cloud-service", "test", Clock.systemUTC());
        int huge = 24 * 1024 * 1024;
        try {
            cloud.start();
            Await.until("cloud connected", WAIT, cloud::isConnected);
            cloud.publish(commands, new byte[huge], 1, false).get(60, TimeUnit.SECONDS);
            cloud.publish(commands, "after".getBytes(StandardCharsets.UTF_8), 1, false).get(10, TimeUnit.SECONDS);
            Await.until("the message after the huge one", WAIT, () -> seen.messages.contains("after"));
            assertEquals(List.of((long) huge), seen.tooLarge, "the huge one reported once, with its size");
            assertEquals(List.of("after"), seen.messages, "the huge one never handed over as a message");
            assertEquals(List.of(), events.lost, "the session stayed up");
            assertEquals(1, unit.stats().oversizedDropped());
            unit.publish("callidus/v1/" + UNIT + "/x", new byte[] {1}, 1, false).get(10, TimeUnit.SECONDS);
            // exactly at the limit still arrives whole
            cloud.publish(commands, new byte[LinkSettings.DEFAULT_MAX_INCOMING_PAYLOAD], 1, false)
                    .get(10, TimeUnit.SECONDS);
            Await.until("a message of exactly the limit", WAIT,
                    () -> seen.messages.contains("bytes:" + LinkSettings.DEFAULT_MAX_INCOMING_PAYLOAD));
            unit.close();

            // the persistent session: had the broker not got the PUBACK, it would send the huge one again now
            cloud.publish(commands, "while-away".getBytes(StandardCharsets.UTF_8), 1, false).get(10, TimeUnit.SECONDS);
            Seen again = new Seen();
            PahoMqttConnection second = unit(transport, Duration.ofSeconds(10), again, new Events());
            try {
                Await.until("the message queued while away", WAIT, () -> again.messages.contains("while-away"));
                cloud.publish(commands, "last".getBytes(StandardCharsets.UTF_8), 1, false).get(10, TimeUnit.SECONDS);
                Await.until("the last message", WAIT, () -> again.messages.contains("last"));
                assertEquals(List.of(), again.tooLarge, "the broker did not send the huge message again");
                assertEquals(List.of("while-away", "last"), again.messages);
            } finally {
                second.close();
            }
        } finally {
            unit.close();
            cloud.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "tls"})
    void a_frozen_broker_is_noticed_connects_to_it_are_abandoned_and_the_link_comes_back(String transport)
            throws Exception {
        MosquittoBroker broker = broker(transport);
        Seen seen = new Seen();
        Events events = new Events();
        PahoMqttConnection unit = unit(transport, Duration.ofSeconds(2), seen, events);
        try {
            broker.freeze();
            try {
                Await.until(() -> "the watchdog notices; lost: " + events.lost, WAIT, () -> !events.lost.isEmpty());
                assertTrue(events.lost.get(0).contains("broker silent"), events.lost.toString());
                assertEquals(1, unit.stats().silentBrokerCloses());
                // the kernel still accepts connections for the frozen broker: attempts must end on their own
                Await.until(() -> "two connect attempts abandoned; stats " + unit.stats(), WAIT,
                        () -> unit.stats().connectsAbandoned() >= 2);
            } finally {
                broker.thaw();
            }
            Await.until("connected again after the broker woke up", WAIT, unit::isConnected);
            unit.publish("callidus/v1/" + UNIT + "/x", new byte[] {2}, 1, false).get(30, TimeUnit.SECONDS);
            assertTrue(events.connects >= 2);
            // every attempt is counted: the first, the two or more abandoned ones, the one that got through
            LinkStats stats = unit.stats();
            assertTrue(stats.connectAttempts() >= stats.connectsAbandoned() + 2, stats.toString());
        } finally {
            unit.close();
        }
    }
}
