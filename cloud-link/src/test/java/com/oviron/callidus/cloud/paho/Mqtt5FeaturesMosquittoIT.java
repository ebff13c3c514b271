package com.oviron.callidus.cloud.paho;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.cloud.EventMessage;
import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.MqttProtocol;
import com.oviron.callidus.cloud.SyncSettings;
import com.oviron.callidus.cloud.TelemetrySync;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.Cloud5Peer;
import com.oviron.callidus.cloud.testing.MosquittoBroker;
import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.NewReading;
import com.oviron.callidus.store.fake.InMemoryCommandJournal;
import com.oviron.callidus.store.sqlite.SqliteTelemetryOutbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only MQTT 5 gives the unit, against Debian's mosquitto 2 with an ACL file: PUBACK reason codes (a publish
 * the broker does not authorize is refused with 0x87, and a batch refused again and again is dead-lettered with
 * that reason, while 3.1.1 is acknowledged and loses it unseen), the session expiry interval, message expiry on
 * commands, and replies on the cloud's response topic with its correlation data.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Mqtt5FeaturesMosquittoIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String DENIED = "CAL-ACL-DENIED";

    @TempDir
    static Path dir;
    private MosquittoBroker broker;

    @BeforeAll
    void start() throws Exception {
        Path acl = dir.resolve("acl");
        // an allow list: anonymous clients may use every unit topic except a telemetry topic of DENIED
        Files.writeString(acl, """
                topic readwrite callidus/v1/+/status
                topic readwrite callidus/v1/+/events
                topic readwrite callidus/v1/+/cmd
                topic readwrite callidus/v1/+/reply
                topic readwrite callidus/v1/+/reply/#
                topic read callidus/v1/+/telemetry
                topic readwrite callidus/v1/CAL-ACL-OK/telemetry
                """);
        broker = MosquittoBroker.startWith(dir.resolve("mosquitto"), "acl_file " + acl.toAbsolutePath());
    }

    @AfterAll
    void stop() {
        broker.close();
    }

    private LinkSettings settings(String device, MqttProtocol protocol) {
        return new LinkSettings(broker.uri(), device, Duration.ofSeconds(10), Duration.ofSeconds(5),
                new Backoff(Duration.ofMillis(100), Duration.ofMillis(500)), Optional.empty(), Optional.empty(), 16)
                .withProtocol(protocol);
    }

    private static PahoMqttConnection unit(LinkSettings settings) {
        return new PahoMqttConnection(settings, new Topics(settings.clientId()).status(), settings.clientId(), "test",
                Clock.systemUTC());
    }

    /** A unit with a real outbox and sync: readings in, batches out. */
    private final class Unit implements AutoCloseable {
        final SqliteTelemetryOutbox outbox;
        final PahoMqttConnection link;
        final TelemetrySync sync;
        final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

        Unit(String device, MqttProtocol protocol) throws Exception {
            outbox = SqliteTelemetryOutbox.open(dir.resolve(device + "-" + protocol.configName() + ".db"),
                    Durability.NORMAL);
            link = unit(settings(device, protocol));
            sync = new TelemetrySync(outbox, link, new Topics(device), new SyncSettings(5, 1, Duration.ofMillis(50), 0),
                    executor, Clock.systemUTC());
            sync.start();
            link.start();
        }

        void readings(int n) throws Exception {
            List<NewReading> list = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                list.add(new NewReading("supply_v", 1_700_000_000_000L + i, 230.0 + i, 0));
            }
            outbox.append(list);
        }

        @Override
        public void close() {
            sync.close();
            link.close();
            executor.shutdownNow();
            outbox.close();
        }
    }

    @Test
    void a_publish_the_broker_does_not_authorize_is_refused_with_0x87_and_the_batch_is_dead_lettered_with_it()
            throws Exception {
        try (Cloud5Peer cloud = new Cloud5Peer(broker.uri(), "cloud-acl-1", "callidus/v1/+/events");
             Unit unit = new Unit(DENIED, MqttProtocol.MQTT_5)) {
            Await.until("connected", WAIT, unit.link::isConnected);
            unit.readings(5);
            Await.until(() -> "dead-lettered; stats " + unit.sync.stats(), WAIT, () -> {
                try {
                    return unit.outbox.deadLetterCount() == 1;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertTrue(unit.sync.stats().publishFailures() >= 5, "refused five times in a row: " + unit.sync.stats());
            Await.until("the alarm at the cloud", WAIT, () -> !cloud.receivedOn(new Topics(DENIED).events()).isEmpty());
            com.oviron.callidus.store.StoredEvent alarm = EventMessage.decode(cloud.receivedOn(new Topics(DENIED).events()).get(0)
                    .payload());
            assertEquals("telemetry.dead_letter", alarm.kind());
            assertTrue(alarm.message().contains("0x87 not authorized"), alarm.message());
            assertTrue(unit.link.isConnected(), "a refusal does not end the session");
        }
    }

    @Test
    void an_authorized_unit_sends_everything_and_dead_letters_nothing() throws Exception {
        try (Unit unit = new Unit("CAL-ACL-OK", MqttProtocol.MQTT_5)) {
            unit.readings(12);
            Await.until("all acknowledged", WAIT, () -> unit.sync.stats().acknowledgedSeq() == 12);
            assertEquals(0, unit.outbox.deadLetterCount());
            assertEquals(0, unit.sync.stats().publishFailures());
        }
    }

    @Test
    void in_3_1_1_the_same_broker_acknowledges_what_it_drops_and_the_unit_cannot_know() throws Exception {
        try (Unit unit = new Unit(DENIED, MqttProtocol.MQTT_3_1_1)) {
            unit.readings(5);
            Await.until("acknowledged", WAIT, () -> unit.sync.stats().acknowledgedSeq() == 5);
            assertEquals(0, unit.outbox.deadLetterCount(), "nothing to see: mosquitto's 3.1.1 PUBACK says success");
        }
    }

    @Test
    void a_persistent_session_ends_at_the_broker_once_its_expiry_interval_has_passed() throws Exception {
        String device = "CAL-EXPIRY-1";
        String commands = new Topics(device).commands();
        LinkSettings settings = settings(device, MqttProtocol.MQTT_5).withPersistentSession(true)
                .withSessionExpiry(Duration.ofSeconds(2));
        List<String> first = new CopyOnWriteArrayList<>();
        PahoMqttConnection away = unit(settings);
        away.subscribe(commands, 1, (t, p) -> first.add(new String(p, StandardCharsets.UTF_8)));
        away.start();
        try (Cloud5Peer cloud = new Cloud5Peer(broker.uri(), "cloud-expiry-1")) {
            Await.until("subscribed", WAIT, () -> publishUntilSeen(cloud, commands, "hello", first));
            away.close();
            long closed = System.nanoTime();
            cloud.publish(commands, "queued-while-away", null, null, null);
            // the behaviour under test is a time: the broker keeps the session 2 s, and is given 5 s
            Await.until("5 s after the unit left", WAIT, () -> System.nanoTime() - closed > 5_000_000_000L);
            List<String> later = new CopyOnWriteArrayList<>();
            PahoMqttConnection back = unit(settings);
            back.subscribe(commands, 1, (t, p) -> later.add(new String(p, StandardCharsets.UTF_8)));
            back.start();
            try {
                Await.until("a new session", WAIT, () -> publishUntilSeen(cloud, commands, "after", later));
                assertFalse(later.contains("queued-while-away"), "the expired session's queue went with it: " + later);
            } finally {
                back.close();
            }
        }
    }

    @Test
    void a_command_whose_message_expiry_passed_while_the_unit_was_away_is_never_delivered() throws Exception {
        String device = "CAL-MSGEXP-1";
        String commands = new Topics(device).commands();
        LinkSettings settings = settings(device, MqttProtocol.MQTT_5).withPersistentSession(true);
        List<String> got = new CopyOnWriteArrayList<>();
        PahoMqttConnection away = unit(settings);
        away.subscribe(commands, 1, (t, p) -> got.add(new String(p, StandardCharsets.UTF_8)));
        away.start();
        try (Cloud5Peer cloud = new Cloud5Peer(broker.uri(), "cloud-msgexp-1")) {
            Await.until("subscribed", WAIT, () -> publishUntilSeen(cloud, commands, "hello", got));
            away.close();
            long closed = System.nanoTime();
            cloud.publish(commands, "stale", 1L, null, null);
            cloud.publish(commands, "fresh", null, null, null);
            Await.until("3 s after", WAIT, () -> System.nanoTime() - closed > 3_000_000_000L);
            List<String> later = new CopyOnWriteArrayList<>();
            PahoMqttConnection back = unit(settings);
            back.subscribe(commands, 1, (t, p) -> later.add(new String(p, StandardCharsets.UTF_8)));
            back.start();
            try {
                Await.until("the fresh command", WAIT, () -> later.contains("fresh"));
                Await.until("a later one", WAIT, () -> publishUntilSeen(cloud, commands, "after", later));
                assertFalse(later.contains("stale"), "the broker dropped the expired command: " + later);
            } finally {
                back.close();
            }
        }
    }

    @Test
    void a_command_reply_goes_to_the_response_topic_with_the_correlation_data() throws Exception {
        String device = "CAL-RESP-1";
        Topics topics = new Topics(device);
        PahoMqttConnection link = unit(settings(device, MqttProtocol.MQTT_5));
        ExecutorService commandThread = Executors.newSingleThreadExecutor();
        CommandChannel channel = new CommandChannel(link, topics, new InMemoryCommandJournal(), commandThread,
                Clock.systemUTC());
        channel.register("status.get", c -> new JsonObject());
        channel.start();
        link.start();
        String responseTopic = topics.replies() + "/diag-7";
        try (Cloud5Peer cloud = new Cloud5Peer(broker.uri(), "cloud-resp-1", topics.replies(),
                topics.replies() + "/#")) {
            Await.until("connected", WAIT, link::isConnected);
            long now = System.currentTimeMillis();
            String command = "{\"v\":1,\"id\":\"%s\",\"name\":\"status.get\",\"args\":{},\"issuedAt\":" + now
                    + ",\"expiresAt\":" + (now + 60_000) + "}";
            Await.until("a reply on the response topic", WAIT, () -> {
                try {
                    cloud.publish(topics.commands(), command.formatted("q1"), null, responseTopic,
                            "corr-1".getBytes(StandardCharsets.UTF_8));
                    return waitFor(() -> !cloud.receivedOn(responseTopic).isEmpty());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            Cloud5Peer.Received reply = cloud.receivedOn(responseTopic).get(0);
            assertEquals("corr-1", new String(reply.correlationData().orElseThrow(), StandardCharsets.UTF_8));
            JsonObject json = JsonParser.parseString(reply.text()).getAsJsonObject();
            assertEquals("q1", json.get("id").getAsString());
            assertTrue(json.get("ok").getAsBoolean());

            cloud.publish(topics.commands(), command.formatted("q2"), null, null, null);
            Await.until("a reply on reply", WAIT, () -> !cloud.receivedOn(topics.replies()).isEmpty());
            Cloud5Peer.Received plain = cloud.receivedOn(topics.replies()).get(0);
            assertEquals("q2", JsonParser.parseString(plain.text()).getAsJsonObject().get("id").getAsString());
            assertTrue(plain.correlationData().isEmpty());
            assertEquals(1, cloud.receivedOn(responseTopic).stream().map(Cloud5Peer.Received::text).distinct().count());
        } finally {
            link.close();
            commandThread.shutdownNow();
        }
    }

    private static boolean waitFor(java.util.function.BooleanSupplier condition) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < until) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.onSpinWait();
        }
        return condition.getAsBoolean();
    }

    /** Publishes {@code text} until the unit has it (its SUBSCRIBE may still be on the way). */
    private static boolean publishUntilSeen(Cloud5Peer cloud, String topic, String text, List<String> got) {
        if (got.contains(text)) {
            return true;
        }
        try {
            cloud.publish(topic, text, null, null, null);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return waitFor(() -> got.contains(text));
    }
}
