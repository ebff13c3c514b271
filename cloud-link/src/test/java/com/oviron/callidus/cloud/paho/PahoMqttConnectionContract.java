package com.oviron.callidus.cloud.paho;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.cloud.ConnectionListener;
import com.oviron.callidus.cloud.LinkSettings;
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
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the Paho session must do against any standard broker; run against HiveMQ CE (embedded) and Debian's
 * mosquitto by the subclasses.
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

    @BeforeAll
    void startBroker() {
        broker = startBroker(brokerDir);
    }

    @AfterAll
    void stopBroker() {
        broker.close();
    }

    private static PahoMqttConnection connection(String uri, String clientId) {
        LinkSettings settings = new LinkSettings(uri, clientId, KEEP_ALIVE, CONNECT_TIMEOUT,
                new Backoff(Duration.ofMillis(100), Duration.ofMillis(400)), Optional.empty(), Optional.empty(), 16);
        return new PahoMqttConnection(settings, new Topics(clientId).status(), clientId, "test", Clock.systemUTC());
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
        LinkSettings settings = new LinkSettings(broker.uri(), device, KEEP_ALIVE, CONNECT_TIMEOUT,
                new Backoff(Duration.ofMillis(100), Duration.ofMillis(400)), Optional.empty(), Optional.empty(), 16)
                .withPersistentSession(true);
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

    private static StatusMessage statusOf(byte[] payload) {
        try {
            return StatusMessage.decode(payload);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static StatusMessage statusQuietly(CloudSubscriber cloud, String deviceId) {
        try {
            return status(cloud, deviceId);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
