package com.oviron.callidus.cloud.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.fake.FakeMqttConnection;
import com.oviron.callidus.store.fake.InMemoryCommandJournal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
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
    void the_observer_is_told_each_command_carried_out_or_refused_once_with_its_reply() {
        java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        channel.setObserver((command, reply) -> seen.add(command.id() + " " + command.name() + " "
                + reply.get("ok").getAsBoolean() + " " + command.args()));
        link.deliver(TOPICS.commands(), cmd("c1", "live.start", "{\"seconds\":5}", NOW + 1000));
        replies(1);
        link.deliver(TOPICS.commands(), cmd("c1", "live.start", "{\"seconds\":5}", NOW + 1000));
        replies(2);
        link.deliver(TOPICS.commands(), cmd("c2", "live.start", "{\"seconds\":9999}", NOW + 1000));
        replies(3);
        com.oviron.callidus.cloud.testing.Await.until("the observer told twice", java.time.Duration.ofSeconds(10),
                () -> seen.size() >= 2);
        assertEquals(java.util.List.of("c1 live.start true {\"seconds\":5}", "c2 live.start false {\"seconds\":9999}"),
                seen, "a repeated id is not carried out again and not told again");
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
