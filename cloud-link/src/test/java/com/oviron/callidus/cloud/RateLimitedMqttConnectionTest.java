package com.oviron.callidus.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.fake.FakeMqttConnection;
import com.oviron.callidus.cloud.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitedMqttConnectionTest {

    @Test
    void passes_a_burst_of_one_seconds_worth_then_holds_the_rest_in_order_until_tokens_come() throws Exception {
        FakeMqttConnection fake = new FakeMqttConnection();
        fake.connect();
        AtomicLong nanos = new AtomicLong();
        try (RateLimitedMqttConnection link = new RateLimitedMqttConnection(fake, 10, nanos::get)) {
            List<CompletableFuture<Void>> results = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                results.add(link.publish("t/" + i, new byte[] {(byte) i}, 1, false));
            }
            assertEquals(10, fake.publishes().size(), "the first second's worth goes at once");
            assertEquals(5, link.queued());
            nanos.addAndGet(300_000_000L); // 0.3 s: three tokens
            Await.until("three more publishes", Duration.ofSeconds(5), () -> fake.publishes().size() == 13);
            nanos.addAndGet(1_000_000_000L);
            Await.until("all publishes", Duration.ofSeconds(5), () -> fake.publishes().size() == 15);
            for (int i = 0; i < 15; i++) {
                assertEquals("t/" + i, fake.publishes().get(i).topic(), "order kept");
            }
            fake.publishes().get(12).ack();
            results.get(12).get();
            fake.publishes().get(14).fail("refused");
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> results.get(14).get());
            assertTrue(e.getCause().getMessage().contains("refused"));
        }
    }

    @Test
    void closing_fails_what_still_waits() {
        FakeMqttConnection fake = new FakeMqttConnection();
        fake.connect();
        RateLimitedMqttConnection link = new RateLimitedMqttConnection(fake, 1, () -> 0L);
        link.publish("a", new byte[0], 1, false);
        CompletableFuture<Void> held = link.publish("b", new byte[0], 1, false);
        link.close();
        assertTrue(held.isCompletedExceptionally());
        assertTrue(fake.isClosed());
        assertTrue(link.publish("c", new byte[0], 1, false).isCompletedExceptionally());
    }

    private static final String TELEMETRY = "callidus/v1/U/telemetry";
    private static final String REPLY = "callidus/v1/U/reply";

    @Test
    void each_topic_has_its_lane() {
        assertEquals(RateLimitedMqttConnection.Lane.TELEMETRY, RateLimitedMqttConnection.Lane.of(TELEMETRY));
        assertEquals(RateLimitedMqttConnection.Lane.TELEMETRY, RateLimitedMqttConnection.Lane.of("callidus/v1/U/events"));
        assertEquals(RateLimitedMqttConnection.Lane.TELEMETRY, RateLimitedMqttConnection.Lane.of("callidus/v1/U/status"));
        assertEquals(RateLimitedMqttConnection.Lane.REPLIES, RateLimitedMqttConnection.Lane.of(REPLY));
        assertEquals(RateLimitedMqttConnection.Lane.LIVE, RateLimitedMqttConnection.Lane.of("callidus/v1/U/live"));
        assertEquals(RateLimitedMqttConnection.Lane.FILES, RateLimitedMqttConnection.Lane.of("callidus/v1/U/file/upload"));
    }

    @Test
    void a_flood_of_replies_is_dropped_beyond_its_queue_and_never_crowds_out_telemetry() throws Exception {
        FakeMqttConnection fake = new FakeMqttConnection();
        fake.connect();
        AtomicLong nanos = new AtomicLong();
        try (RateLimitedMqttConnection link = new RateLimitedMqttConnection(fake, 10, nanos::get)) {
            List<CompletableFuture<Void>> replies = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                replies.add(link.publish(REPLY, new byte[] {1}, 1, false));
            }
            int capacity = RateLimitedMqttConnection.Lane.REPLIES.capacity();
            assertEquals(RateLimitedMqttConnection.REPLIES_IN_FLIGHT, fake.publishes().size(),
                    "replies stop at their in-flight limit");
            long dropped = replies.stream().filter(CompletableFuture::isCompletedExceptionally).count();
            assertEquals(1000 - RateLimitedMqttConnection.REPLIES_IN_FLIGHT - capacity, dropped);
            assertEquals(dropped, link.stats().repliesDropped());
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> replies.get(999).get());
            assertTrue(e.getCause() instanceof LinkBusyException, e.toString());

            List<CompletableFuture<Void>> telemetry = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                telemetry.add(link.publish(TELEMETRY, new byte[] {(byte) i}, 1, false));
            }
            assertTrue(telemetry.stream().noneMatch(CompletableFuture::isCompletedExceptionally),
                    "telemetry has its own room");
            for (int second = 1; second <= 4; second++) {
                nanos.addAndGet(1_000_000_000L);
                int expected = Math.min(30, second * 10 - 2); // 2 tokens of the first second went to replies
                Await.until("telemetry goes out while the replies wait for PUBACKs", Duration.ofSeconds(5),
                        () -> fake.publishes().stream().filter(p -> p.topic().equals(TELEMETRY)).count()
                                >= expected);
            }
            List<FakeMqttConnection.Publish> sent = fake.publishes().stream().filter(p -> p.topic().equals(TELEMETRY))
                    .toList();
            for (int i = 0; i < 30; i++) {
                assertEquals(i, sent.get(i).payload()[0], "telemetry in order");
            }
            // acknowledged replies make room: the queued ones follow
            fake.publishes().stream().filter(p -> p.topic().equals(REPLY)).forEach(FakeMqttConnection.Publish::ack);
            nanos.addAndGet(1_000_000_000L);
            Await.until("more replies", Duration.ofSeconds(5),
                    () -> fake.publishes().stream().filter(p -> p.topic().equals(REPLY)).count()
                            > RateLimitedMqttConnection.REPLIES_IN_FLIGHT);
        }
    }

    @Test
    void waiting_lanes_take_turns_by_weight() throws Exception {
        FakeMqttConnection fake = new FakeMqttConnection();
        fake.connect();
        AtomicLong nanos = new AtomicLong();
        try (RateLimitedMqttConnection link = new RateLimitedMqttConnection(fake, 10, nanos::get)) {
            for (int i = 0; i < 10; i++) {
                link.publish("callidus/v1/U/health", new byte[0], 0, false); // the first second's tokens
            }
            for (int i = 0; i < 50; i++) {
                link.publish(REPLY, new byte[0], 0, false);
                link.publish(TELEMETRY, new byte[0], 0, false);
            }
            assertEquals(10, fake.publishes().size());
            nanos.addAndGet(1_000_000_000L);
            Await.until("the next second's worth", Duration.ofSeconds(5), () -> fake.publishes().size() == 20);
            long telemetry = fake.publishes().subList(10, 20).stream().filter(p -> p.topic().equals(TELEMETRY))
                    .count();
            assertEquals(8, telemetry, "telemetry 4 turns for every reply");
        }
    }

    @Test
    void a_full_telemetry_lane_is_back_pressure_not_a_drop() {
        FakeMqttConnection fake = new FakeMqttConnection();
        fake.connect();
        try (RateLimitedMqttConnection link = new RateLimitedMqttConnection(fake, 1, () -> 0L)) {
            link.publish(TELEMETRY, new byte[0], 1, false);
            for (int i = 0; i < RateLimitedMqttConnection.Lane.TELEMETRY.capacity(); i++) {
                assertTrue(!link.publish(TELEMETRY, new byte[0], 1, false).isDone());
            }
            CompletableFuture<Void> over = link.publish(TELEMETRY, new byte[0], 1, false);
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, over::get);
            assertTrue(e.getCause() instanceof LinkBusyException, e.toString());
            assertEquals(0, link.stats().repliesDropped());
        }
    }
}
