package com.oviron.callidus.cloud.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.oviron.callidus.cloud.MessageProperties;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.fake.FakeMqttConnection;
import com.oviron.callidus.store.fake.InMemoryCommandJournal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CommandChannelTest {
    private static final Topics TOPICS = new Topics("CAL-7");
    private static final long NOW = 1_763_780_000_000L;

    private final FakeMqttConnection link = new FakeMqttConnection();
    private final InMemoryCommandJournal journal = new InMemoryCommandJournal();
    private final Clock clock = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
    private ExecutorService executor;
    private CommandChannel channel;
    private final AtomicInteger statusCalls = new AtomicInteger();

    @BeforeEach
    void setUp() {
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(2));
        channel = new CommandChannel(link, TOPICS, journal, executor, clock);
        channel.register("status.get", c -> {
            c.arguments().allowOnly();
            statusCalls.incrementAndGet();
            JsonObject r = new JsonObject();
            r.addProperty("calls", statusCalls.get());
            return r;
        });
        channel.register("live.start", c -> {
            long seconds = c.arguments().allowOnly("seconds").integer("seconds", 1, 600);
            return new JsonPrimitive(seconds);
        });
        channel.register("boom", c -> {
            throw new IllegalStateException("bug");
        });
        channel.start();
        link.connect();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void subscribes_to_its_command_topic() {
        link.deliver(TOPICS.commands(), cmd("c1", "status.get", "{}", NOW + 1000));
        JsonObject reply = nextReply();
        assertTrue(reply.get("ok").getAsBoolean());
        assertEquals("c1", reply.get("id").getAsString());
        assertEquals(1, reply.getAsJsonObject("result").get("calls").getAsInt());
    }

    @Test
    void a_command_seen_twice_is_answered_twice_and_carried_out_once() {
        link.deliver(TOPICS.commands(), cmd("c1", "status.get", "{}", NOW + 1000));
        link.deliver(TOPICS.commands(), cmd("c1", "status.get", "{}", NOW + 1000));
        List<JsonObject> replies = replies(2);
        assertEquals(1, statusCalls.get());
        assertEquals(replies.get(0).get("result"), replies.get(1).get("result"));
        assertFalse(replies.get(0).has("repeated"));
        assertTrue(replies.get(1).get("repeated").getAsBoolean());
        assertEquals(1, channel.stats().repeated());
    }

    @Test
    void a_repeated_command_gets_its_first_answer_even_after_it_expired() {
        link.deliver(TOPICS.commands(), cmd("c1", "status.get", "{}", NOW));
        assertTrue(nextReply().get("ok").getAsBoolean());
        Clock later = Clock.offset(clock, java.time.Duration.ofMinutes(5));
        CommandChannel afterRestart = new CommandChannel(link, TOPICS, journal, executor, later);
        afterRestart.register("status.get", c -> new JsonObject());
        afterRestart.arrived(cmd("c1", "status.get", "{}", NOW));
        JsonObject second = replies(2).get(1);
        assertTrue(second.get("ok").getAsBoolean());
        assertTrue(second.get("repeated").getAsBoolean());
    }

    @Test
    void a_command_interrupted_by_a_restart_is_answered_interrupted_when_repeated() throws Exception {
        journal.begin("c9", "status.get", NOW + 1000, NOW - 10);
        link.deliver(TOPICS.commands(), cmd("c9", "status.get", "{}", NOW + 1000));
        JsonObject reply = nextReply();
        assertEquals("interrupted", code(reply));
        assertEquals(0, statusCalls.get());
    }

    @Test
    void expired_unknown_invalid_and_failing_commands_are_answered_with_typed_errors() {
        link.deliver(TOPICS.commands(), cmd("e1", "status.get", "{}", NOW - 1));
        link.deliver(TOPICS.commands(), cmd("e2", "coffee.make", "{}", NOW + 1000));
        link.deliver(TOPICS.commands(), cmd("e3", "live.start", "{\"seconds\":9999}", NOW + 1000));
        List<JsonObject> replies = replies(3);
        assertEquals("expired", code(replies.get(0)));
        assertEquals("unknown_command", code(replies.get(1)));
        assertEquals("invalid_argument", code(replies.get(2)));
        assertTrue(message(replies.get(2)).contains("args.seconds"), message(replies.get(2)));
        link.deliver(TOPICS.commands(), cmd("e4", "live.start", "{\"seconds\":5,\"rate\":1}", NOW + 1000));
        link.deliver(TOPICS.commands(), cmd("e5", "boom", "{}", NOW + 1000));
        replies = replies(5);
        assertEquals("invalid_argument", code(replies.get(3)));
        assertTrue(message(replies.get(3)).contains("args.rate"));
        assertEquals("failed", code(replies.get(4)));
        assertEquals(0, statusCalls.get());
    }

    @Test
    void a_command_the_link_dropped_as_too_large_is_answered_too_large_without_an_id() {
        link.deliverTooLarge(TOPICS.commands(), 200L * 1024 * 1024);
        JsonObject reply = nextReply();
        assertEquals("too_large", code(reply));
        assertTrue(!reply.has("id") || reply.get("id").isJsonNull(), reply.toString());
        assertTrue(message(reply).contains("209715200 bytes"), message(reply));
        assertEquals(1, channel.stats().refused());
        assertEquals(0, statusCalls.get());
    }

    @Test
    void a_malformed_command_is_answered_with_its_id_when_readable() {
        link.deliver(TOPICS.commands(), "{\"v\":1,\"id\":\"m1\",\"name\":\"status.get\"}".getBytes(StandardCharsets.UTF_8));
        link.deliver(TOPICS.commands(), new byte[] {(byte) 0xff, 0, 1});
        List<JsonObject> replies = replies(2);
        assertEquals("m1", replies.get(0).get("id").getAsString());
        assertEquals("malformed", code(replies.get(0)));
        assertTrue(replies.get(1).get("id").isJsonNull());
        assertEquals("malformed", code(replies.get(1)));
        assertEquals(2, channel.stats().refused());
    }

    @Test
    void commands_the_subscription_does_not_cover_are_refused_without_running() {
        channel.setEntitlement(name -> !name.equals("status.get"));
        link.deliver(TOPICS.commands(), cmd("n1", "status.get", "{}", NOW + 1000));
        assertEquals("not_entitled", code(nextReply()));
        assertEquals(0, statusCalls.get());
    }

    @Test
    void a_full_queue_answers_busy() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        channel.register("slow.run", c -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new JsonObject();
        });
        link.deliver(TOPICS.commands(), cmd("s0", "slow.run", "{}", NOW + 1000));
        assertTrue(entered.await(5, TimeUnit.SECONDS));
        link.deliver(TOPICS.commands(), cmd("s1", "status.get", "{}", NOW + 1000));
        link.deliver(TOPICS.commands(), cmd("s2", "status.get", "{}", NOW + 1000));
        link.deliver(TOPICS.commands(), cmd("s3", "status.get", "{}", NOW + 1000));
        JsonObject busy = nextReply();
        assertEquals("s3", busy.get("id").getAsString());
        assertEquals("busy", code(busy));
        release.countDown();
        List<JsonObject> all = replies(4);
        assertEquals(List.of("s3", "s0", "s1", "s2"), all.stream().map(r -> r.get("id").getAsString()).toList());
    }

    @Test
    void lists_its_commands() {
        link.deliver(TOPICS.commands(), cmd("l1", "commands.list", "{}", NOW + 1000));
        JsonObject r = nextReply();
        List<String> names = new ArrayList<>();
        r.getAsJsonObject("result").getAsJsonArray("commands").forEach(e -> names.add(e.getAsString()));
        assertEquals(List.of("boom", "commands.list", "live.start", "status.get"), names);
    }

    @Test
    void a_journal_failure_is_answered_failed_and_nothing_runs() {
        journal.close();
        CommandChannel broken = new CommandChannel(link, TOPICS, new com.oviron.callidus.store.commands.CommandJournal() {
            @Override
            public java.util.Optional<Entry> begin(String id, String name, long exp, long now)
                    throws com.oviron.callidus.store.StoreException {
                throw new com.oviron.callidus.store.StoreException("disk I/O error");
            }

            @Override
            public void complete(String id, byte[] reply) {
            }

            @Override
            public int prune(long now) {
                return 0;
            }

            @Override
            public int size() {
                return 0;
            }

            @Override
            public void close() {
            }
        }, executor, clock);
        broken.register("status.get", c -> {
            statusCalls.incrementAndGet();
            return new JsonObject();
        });
        broken.arrived(cmd("j1", "status.get", "{}", NOW + 1000));
        JsonObject reply = nextReply();
        assertEquals("failed", code(reply));
        assertTrue(message(reply).contains("journal"));
        assertEquals(0, statusCalls.get());
    }

    @Test
    void a_local_command_runs_the_same_handler_without_journal_expiry_or_subscription() throws Exception {
        channel.setEntitlement(name -> false);
        JsonObject reply = channel.runLocal("status.get", new JsonObject(), "console").get(5, TimeUnit.SECONDS);
        assertTrue(reply.get("ok").getAsBoolean(), reply.toString());
        assertTrue(reply.get("id").getAsString().startsWith("console-"));
        assertEquals(1, statusCalls.get());
        JsonObject bad = channel.runLocal("live.start", JsonParser.parseString("{\"seconds\":0}").getAsJsonObject(),
                "console").get(5, TimeUnit.SECONDS);
        assertEquals("invalid_argument", code(bad));
        assertEquals("unknown_command", code(channel.runLocal("nope.nope", new JsonObject(), "console")
                .get(5, TimeUnit.SECONDS)));
        assertEquals("malformed", code(channel.runLocal("Bad Name", new JsonObject(), "console")
                .get(5, TimeUnit.SECONDS)));
        assertEquals(0, journal.size(), "local commands are not journaled");
        assertTrue(link.publishes().isEmpty(), "nor published");
    }

    private static MessageProperties respondTo(String topic, String correlation) {
        return new MessageProperties(Optional.ofNullable(topic),
                Optional.ofNullable(correlation).map(c -> c.getBytes(StandardCharsets.UTF_8)), Optional.empty());
    }

    private FakeMqttConnection.Publish awaitPublishOn(String topic) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (FakeMqttConnection.Publish p : link.publishes()) {
                if (p.topic().equals(topic)) {
                    return p;
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("nothing published on " + topic + ": " + link.publishes());
    }

    @Test
    void a_reply_goes_to_the_response_topic_the_cloud_gave_with_its_correlation_data() {
        String responseTopic = TOPICS.replies() + "/diag-service-7";
        link.deliver(TOPICS.commands(), cmd("r1", "status.get", "{}", NOW + 1000), respondTo(responseTopic, "req-42"));
        FakeMqttConnection.Publish reply = awaitPublishOn(responseTopic);
        assertEquals("req-42", new String(reply.properties().correlationData().orElseThrow(), StandardCharsets.UTF_8));
        assertEquals(1, reply.qos());
        assertTrue(JsonParser.parseString(new String(reply.payload(), StandardCharsets.UTF_8)).getAsJsonObject()
                .get("ok").getAsBoolean());
        assertTrue(link.publishes().stream().noneMatch(p -> p.topic().equals(TOPICS.replies())),
                "not also on reply");
    }

    @Test
    void without_a_response_topic_the_reply_goes_to_reply_still_with_the_correlation_data() {
        link.deliver(TOPICS.commands(), cmd("r2", "status.get", "{}", NOW + 1000), respondTo(null, "req-43"));
        FakeMqttConnection.Publish reply = awaitPublishOn(TOPICS.replies());
        assertEquals("req-43", new String(reply.properties().correlationData().orElseThrow(), StandardCharsets.UTF_8));
        link.deliver(TOPICS.commands(), cmd("r3", "status.get", "{}", NOW + 1000));
        replies(2);
        assertTrue(link.publishes().get(1).properties().isEmpty(), "a 3.1.1 command gets a reply without properties");
    }

    @Test
    void a_response_topic_outside_the_units_reply_topics_is_not_used() {
        for (String elsewhere : new String[] {"callidus/v1/CAL-8/reply", "callidus/v1/CAL-7/replyx",
                "callidus/v1/CAL-7/cmd", TOPICS.replies() + "/a//b", TOPICS.replies() + "/" + "x".repeat(300)}) {
            link.deliver(TOPICS.commands(), cmd("o-" + elsewhere.length(), "status.get", "{}", NOW + 1000),
                    respondTo(elsewhere, "c"));
        }
        List<JsonObject> replies = replies(5);
        assertEquals(5, replies.size());
        assertEquals(5, link.publishes().stream().filter(p -> p.topic().equals(TOPICS.replies())).count(),
                "every one answered on reply");
    }

    @Test
    void a_command_whose_mqtt_expiry_passes_while_it_waits_is_answered_expired_and_not_carried_out()
            throws Exception {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(NOW);
        Clock moving = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.get());
            }
        };
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        CommandChannel busy = new CommandChannel(link, TOPICS, journal, executor, moving);
        busy.register("status.get", c -> {
            statusCalls.incrementAndGet();
            return new JsonObject();
        });
        busy.register("slow", c -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new JsonObject();
        });
        busy.arrived(cmd("s1", "slow", "{}", NOW + 60_000), MessageProperties.NONE);
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        // its JSON says a minute; the cloud's MQTT message expiry says 5 s, of which the broker forwarded 2 s
        busy.arrived(cmd("e1", "status.get", "{}", NOW + 60_000), new MessageProperties(Optional.empty(),
                Optional.empty(), Optional.of(java.time.Duration.ofSeconds(2))));
        now.addAndGet(3_000);
        release.countDown();
        List<JsonObject> replies = replies(2);
        assertEquals("e1", replies.get(1).get("id").getAsString());
        assertEquals("expired", code(replies.get(1)));
        assertTrue(message(replies.get(1)).contains("MQTT message expiry"), message(replies.get(1)));
        assertEquals(0, statusCalls.get());
    }

    private static byte[] cmd(String id, String name, String args, long expiresAt) {
        return ("{\"v\":1,\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"args\":" + args + ",\"issuedAt\":" + NOW
                + ",\"expiresAt\":" + expiresAt + "}").getBytes(StandardCharsets.UTF_8);
    }

    private JsonObject nextReply() {
        return replies(1).get(0);
    }

    private List<JsonObject> replies(int atLeast) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<JsonObject> r = link.publishes().stream().filter(p -> p.topic().equals(TOPICS.replies()))
                    .map(p -> JsonParser.parseString(new String(p.payload(), StandardCharsets.UTF_8)).getAsJsonObject())
                    .toList();
            if (r.size() >= atLeast || System.nanoTime() > deadline) {
                assertTrue(r.size() >= atLeast, "expected " + atLeast + " replies, got " + r);
                return r;
            }
            Thread.onSpinWait();
        }
    }

    private static String code(JsonObject reply) {
        assertFalse(reply.get("ok").getAsBoolean(), reply.toString());
        return reply.getAsJsonObject("error").get("code").getAsString();
    }

    private static String message(JsonObject reply) {
        return reply.getAsJsonObject("error").get("message").getAsString();
    }
}
