package com.oviron.callidus.cloud.paho;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.cloud.ConnectionListener;
import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.MqttProtocol;
import com.oviron.callidus.cloud.PublishRefusedException;
import com.oviron.callidus.cloud.NotConnectedException;
import com.oviron.callidus.cloud.StatusMessage;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.TestBroker;
import com.oviron.callidus.cloud.testing.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the Paho session must do against any standard broker, in either MQTT version; run against HiveMQ CE
 * (embedded) and Debian's mosquitto, each in MQTT 3.1.1 and MQTT 5, by the subclasses. Where the versions differ
 * (who drops an oversized message, what a dropped session means for a publish), the test says so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PahoMqttConnectionContract {
    /** Deadline for anything the broker or the link does; a passing run never waits this long. */
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Long enough for a CONNACK from a broker on a loaded build machine: a timed-out attempt only retries. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * The production default: with a few seconds, a loaded machine that delays the client's PINGREQ would make
     * the broker drop a healthy session, an extra disconnect a test counts. Cuts are noticed at once anyway.
     */
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(30);
    private static final Topics TOPICS = new Topics("CAL-IT-1");

    @TempDir
    static Path brokerDir;
    TestBroker broker;

    /** The broker under test, with its files under {@code dir}. */
    abstract TestBroker startBroker(Path dir);

    /** The MQTT version the unit speaks: {@code MQTT_5} or {@code MQTT_3_1_1}. */
    abstract MqttProtocol protocol();

    boolean mqtt5() {
        return protocol() == MqttProtocol.MQTT_5;
    }

    LinkSettings settings(String uri, String clientId) {
        return new LinkSettings(uri, clientId, Duration.ofSeconds(5), Duration.ofSeconds(3),
                new Backoff(Duration.ofMillis(100), Duration.ofMillis(400)), Optional.empty(), Optional.empty(), 16)
                .withProtocol(protocol());
    }

    @BeforeAll
    void startBroker() {
        broker = startBroker(brokerDir);
    }

    @AfterAll
    void stopBroker() {
        broker.close();
    }

    private PahoMqttConnection connection(String uri, String clientId) {
        return connection(settings(uri, clientId));
    }

    private static PahoMqttConnection connection(LinkSettings settings) {
        return new PahoMqttConnection(settings, new Topics(settings.clientId()).status(), settings.clientId(), "test",
                Clock.systemUTC());
    }

    private static StatusMessage status(CloudSubscriber cloud, String deviceId) throws Exception {
        byte[] last = cloud.last(new Topics(deviceId).status());
        return last == null ? null : StatusMessage.decode(last);
    }

    @Test
    void announces_itself_online_retained_and_offline_on_a_clean_close() throws Exception {
        try (CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-status-1", Topics.allStatus())) {
            PahoMqttConnection link = connection(broker.uri(), "CAL-IT-1");
            link.start();
            Await.until("online status", WAIT, () -> {
                StatusMessage s = statusQuietly(cloud, "CAL-IT-1");
                return s != null && s.online();
            });
            link.close();
            Await.until("offline status", WAIT, () -> {
                StatusMessage s = statusQuietly(cloud, "CAL-IT-1");
                return s != null && !s.online() && s.reason().equals("shutdown");
            });
        }
        // retained: a cloud service that subscribes later still learns the last state
        try (CloudSubscriber late = new CloudSubscriber(broker.uri(), "cloud-status-late", TOPICS.status())) {
            Await.until("retained status", WAIT, () -> late.last(TOPICS.status()) != null);
            assertTrue(late.receivedOn(TOPICS.status()).get(0).retained());
            assertFalse(StatusMessage.decode(late.last(TOPICS.status())).online());
        }
    }

    @Test
    void the_broker_publishes_the_last_will_when_the_unit_vanishes() throws Exception {
        try (TcpProxy wifi = new TcpProxy(broker.port());
             CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-status-2", Topics.allStatus())) {
            PahoMqttConnection link = connection(wifi.uri(), "CAL-IT-2");
            try {
                link.start();
                Await.until("connected", WAIT, link::isConnected);
                Await.until("online status", WAIT, () -> {
                    StatusMessage s = statusQuietly(cloud, "CAL-IT-2");
                    return s != null && s.online();
                });
                wifi.setRefusing(true);
                wifi.cut();
                Await.until("will published", WAIT, () -> {
                    StatusMessage s = statusQuietly(cloud, "CAL-IT-2");
                    return s != null && !s.online() && s.reason().equals("connection-lost");
                });
                Await.until("link notices", WAIT, () -> !link.isConnected());
                wifi.setRefusing(false);
                Await.until("reconnected", WAIT, link::isConnected);
                Await.until("online again", WAIT, () -> {
                    StatusMessage s = statusQuietly(cloud, "CAL-IT-2");
                    return s != null && s.online();
                });
            } finally {
                link.close();
            }
        }
    }

    @Test
    void keeps_trying_when_the_first_connect_fails_and_connects_once_the_broker_is_there() throws Exception {
        try (TcpProxy wifi = new TcpProxy(broker.port())) {
            wifi.setRefusing(true);
            PahoMqttConnection link = connection(wifi.uri(), "CAL-IT-3");
            AtomicInteger ups = new AtomicInteger();
            link.addListener(new ConnectionListener() {
                @Override
                public void connected() {
                    ups.incrementAndGet();
                }

                @Override
                public void disconnected(String reason) {
                }
            });
            try {
                link.start();
                ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        () -> link.publish("callidus/v1/CAL-IT-3/x", new byte[] {1}, 1, false)
                                .get(WAIT.toSeconds(), TimeUnit.SECONDS));
                assertTrue(refused.getCause() instanceof NotConnectedException);
                wifi.setRefusing(false);
                Await.until("connected after refusals", WAIT, link::isConnected);
                Await.until("listener told", WAIT, () -> ups.get() == 1);
                link.publish("callidus/v1/CAL-IT-3/x", "hello".getBytes(StandardCharsets.UTF_8), 1, false)
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } finally {
                link.close();
            }
        }
    }

    @Test
    void reconnects_after_the_broker_restarts() throws Exception {
        PahoMqttConnection link = connection(broker.uri(), "CAL-IT-4");
        AtomicInteger downs = new AtomicInteger();
        link.addListener(new ConnectionListener() {
            @Override
            public void connected() {
            }

            @Override
            public void disconnected(String reason) {
                downs.incrementAndGet();
            }
        });
        try {
            link.start();
            Await.until("connected", WAIT, link::isConnected);
            broker.stop();
            Await.until("disconnect noticed", WAIT, () -> downs.get() == 1);
            assertFalse(link.isConnected());
            broker.start();
            Await.until("reconnected", WAIT, link::isConnected);
            link.publish("callidus/v1/CAL-IT-4/x", new byte[] {1}, 1, false).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(1, downs.get());
        } finally {
            link.close();
            if (!broker.isRunning()) {
                broker.start();
            }
        }
    }

    @Test
    void a_persistent_session_gets_the_messages_sent_while_the_unit_was_away() throws Exception {
        String device = "CAL-IT-5";
        String commands = "callidus/v1/" + device + "/cmd";
        LinkSettings settings = settings(broker.uri(), device).withPersistentSession(true);
        java.util.List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        PahoMqttConnection first = new PahoMqttConnection(settings, new Topics(device).status(), device, "test",
                Clock.systemUTC());
        first.subscribe(commands, 1, (topic, payload) -> got.add(new String(payload, StandardCharsets.UTF_8)));
        try (CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-cmd-1", new Topics(device).status())) {
            first.start();
            // "online" comes once the broker has answered the subscription: a command sent on "connected" alone
            // could reach the broker before the subscription does and be dropped
            Await.until("online announced", WAIT, () -> cloud.receivedOn(new Topics(device).status()).stream()
                    .anyMatch(m -> !m.retained() && statusOf(m.payload()).online()));
            cloud.publish(commands, "while-online");
            Await.until("message while online", WAIT, () -> got.contains("while-online"));
            first.close();
            cloud.publish(commands, "while-away");
        }
        java.util.List<String> later = new java.util.concurrent.CopyOnWriteArrayList<>();
        PahoMqttConnection second = new PahoMqttConnection(settings, new Topics(device).status(), device, "test",
                Clock.systemUTC());
        second.subscribe(commands, 1, (topic, payload) -> later.add(new String(payload, StandardCharsets.UTF_8)));
        try {
            second.start();
            Await.until("the queued message after reconnect", WAIT, () -> later.contains("while-away"));
        } finally {
            second.close();
        }
    }

    @Test
    void a_qos1_publish_completes_on_the_brokers_acknowledgement_and_reaches_the_cloud() throws Exception {
        String topic = "callidus/v1/CAL-IT-6/events";
        try (CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-events-6", topic)) {
            PahoMqttConnection link = connection(broker.uri(), "CAL-IT-6");
            try {
                link.start();
                Await.until("connected", WAIT, link::isConnected);
                assertEquals(mqtt5() ? "5" : "3.1.1", link.activeSession().orElseThrow().protocol());
                assertEquals(broker.uri(), link.activeSession().orElseThrow().brokerUri());
                link.publish(topic, "one".getBytes(StandardCharsets.UTF_8), 1, false).get(10, TimeUnit.SECONDS);
                Await.until("the cloud has it", WAIT, () -> cloud.receivedOn(topic).size() == 1);
                assertEquals("one", new String(cloud.receivedOn(topic).get(0).payload(), StandardCharsets.UTF_8));
                assertTrue(link.bytesSent() > 0 && link.bytesReceived() > 0);
            } finally {
                link.close();
            }
        }
    }

    @Test
    void subscriptions_are_made_again_on_every_session() throws Exception {
        String commands = "callidus/v1/CAL-IT-7/cmd";
        List<String> got = new CopyOnWriteArrayList<>();
        try (TcpProxy wifi = new TcpProxy(broker.port());
             CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-cmd-7", "unused/topic")) {
            PahoMqttConnection link = connection(wifi.uri(), "CAL-IT-7");
            link.subscribe(commands, 1, (topic, payload) -> got.add(new String(payload, StandardCharsets.UTF_8)));
            AtomicInteger ups = countConnects(link);
            try {
                link.start();
                Await.until("subscribed", WAIT, () -> deliveredAfterSubscribe(cloud, commands, got, "first"));
                wifi.cut();
                Await.until("second session", WAIT, () -> ups.get() == 2 && link.isConnected());
                Await.until("subscribed again", WAIT, () -> deliveredAfterSubscribe(cloud, commands, got, "second"));
            } finally {
                link.close();
            }
        }
    }

    /** Publishes {@code text} until it arrives (the unit's SUBSCRIBE may still be on its way). */
    private static boolean deliveredAfterSubscribe(CloudSubscriber cloud, String topic, List<String> got,
                                                   String text) {
        if (got.contains(text)) {
            return true;
        }
        try {
            cloud.publish(topic, text);
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (System.nanoTime() < until && !got.contains(text)) {
                Thread.onSpinWait();
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return got.contains(text);
    }

    private static AtomicInteger countConnects(PahoMqttConnection link) {
        AtomicInteger ups = new AtomicInteger();
        link.addListener(new ConnectionListener() {
            @Override
            public void connected() {
                ups.incrementAndGet();
            }

            @Override
            public void disconnected(String reason) {
            }
        });
        return ups;
    }

    @Test
    void a_message_over_the_limit_never_reaches_the_listener_and_the_session_goes_on() throws Exception {
        String device = "CAL-IT-8";
        String commands = "callidus/v1/" + device + "/cmd";
        int limit = 4096;
        List<String> got = new CopyOnWriteArrayList<>();
        List<Long> tooLarge = new CopyOnWriteArrayList<>();
        PahoMqttConnection link = connection(settings(broker.uri(), device).withMaxIncomingPayload(limit));
        link.subscribe(commands, 1, new com.oviron.callidus.cloud.MessageListener() {
            @Override
            public void arrived(String topic, byte[] payload) {
                got.add(payload.length < 20 ? new String(payload, StandardCharsets.UTF_8) : "bytes:" + payload.length);
            }

            @Override
            public void tooLarge(String topic, long payloadBytes) {
                tooLarge.add(payloadBytes);
            }
        });
        AtomicInteger ups = countConnects(link);
        try (CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-cmd-8", "unused/topic")) {
            link.start();
            Await.until("subscribed", WAIT, () -> deliveredAfterSubscribe(cloud, commands, got, "ready"));
            long readBefore = link.bytesReceived();
            int huge = 256 * 1024;
            cloud.publish(commands, "x".repeat(huge));
            cloud.publish(commands, "after-huge");
            Await.until("the message after the huge one", WAIT, () -> got.contains("after-huge"));
            if (mqtt5()) {
                // the CONNECT's maximum packet size: the broker dropped it and never sent it to the unit
                assertEquals(List.of(), tooLarge);
                assertTrue(link.bytesReceived() - readBefore < huge, "bytes read: " + (link.bytesReceived() - readBefore));
            } else {
                // 3.1.1 cannot tell the broker: the unit's guard skips it unread and reports it
                assertEquals(List.of((long) huge), tooLarge);
            }
            // just over the limit, within the packet allowance: the broker sends it, the guard drops it
            cloud.publish(commands, "y".repeat(limit + 100));
            cloud.publish(commands, "after-near");
            Await.until("the message after the near one", WAIT, () -> got.contains("after-near"));
            assertEquals((long) limit + 100, tooLarge.get(tooLarge.size() - 1));
            assertEquals(List.of("ready", "after-huge", "after-near"), got.stream().distinct().toList());
            assertEquals(1, ups.get(), "the session stayed up");
        } finally {
            link.close();
        }
    }

    @Test
    void a_silent_broker_is_noticed_and_the_link_comes_back() throws Exception {
        try (TcpProxy wifi = new TcpProxy(broker.port())) {
            // keep-alive 6 s: the watchdog cuts at 9 s of silence, Paho's own ping timeout comes near 2 x keep-alive;
            // with 2 s the two were a second apart and a loaded machine let Paho's come first (not counted as silent)
            LinkSettings s = new LinkSettings(wifi.uri(), "CAL-IT-9", Duration.ofSeconds(6), Duration.ofSeconds(3),
                    new Backoff(Duration.ofMillis(100), Duration.ofMillis(400)), Optional.empty(), Optional.empty(), 16)
                    .withProtocol(protocol());
            PahoMqttConnection link = connection(s);
            AtomicInteger ups = countConnects(link);
            try {
                link.start();
                Await.until("connected", WAIT, link::isConnected);
                wifi.freeze();
                try {
                    // noticed: by the unit's watchdog (1.5 x keep-alive of silence), or by the broker's own
                    // keep-alive rule (also 1.5 x), whichever comes first; the watchdog alone is proven against a
                    // SIGSTOPped mosquitto, which cannot close anything (LinkGuardMosquittoIT)
                    Await.until(() -> "silence noticed; stats " + link.stats(), WAIT, () -> !link.isConnected());
                    assertTrue(link.stats().silentBrokerCloses() <= 1, link.stats().toString());
                } finally {
                    wifi.thaw();
                }
                Await.until("connected again", WAIT, () -> link.isConnected() && ups.get() >= 2);
                link.publish("callidus/v1/CAL-IT-9/x", new byte[] {1}, 1, false).get(10, TimeUnit.SECONDS);
            } finally {
                link.close();
            }
        }
    }

    @Test
    void a_session_the_broker_drops_right_after_a_publish_refuses_it_only_in_3_1_1() throws Exception {
        try (TcpProxy wifi = new TcpProxy(broker.port())) {
            PahoMqttConnection link = connection(wifi.uri(), "CAL-IT-10");
            try (CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-drop-10",
                    new Topics("CAL-IT-10").status())) {
                link.start();
                // "online" is published once the broker has answered every SUBSCRIBE of the session; a drop before
                // that is (rightly) not taken as a refusal, so the freeze must come after it
                Await.until("online announced", WAIT, () -> cloud.receivedOn(new Topics("CAL-IT-10").status())
                        .stream().anyMatch(m -> !m.retained() && statusOf(m.payload()).online()));
                wifi.freeze(); // the PUBACK cannot come
                CompletableFuture<Void> owed = link.publish("callidus/v1/CAL-IT-10/telemetry", new byte[] {7}, 1, false);
                wifi.cut(); // the broker's side ends the connection, without a reason code
                ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        () -> owed.get(20, TimeUnit.SECONDS));
                if (mqtt5()) {
                    // an MQTT 5 broker that refuses a message says so: a bare drop is not a refusal
                    assertTrue(e.getCause() instanceof NotConnectedException, e.getCause().toString());
                } else {
                    // 3.1.1 has no refusal code: a drop within 2 s of the publish is taken as one
                    assertTrue(e.getCause() instanceof PublishRefusedException, e.getCause().toString());
                }
                wifi.thaw();
                Await.until("reconnected", WAIT, link::isConnected);
            } finally {
                link.close();
            }
        }
    }

    private static StatusMessage statusQuietly(CloudSubscriber cloud, String deviceId) {
        try {
            return status(cloud, deviceId);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static StatusMessage statusOf(byte[] payload) {
        try {
            return StatusMessage.decode(payload);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
