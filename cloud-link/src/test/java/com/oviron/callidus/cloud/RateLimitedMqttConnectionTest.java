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
    /** Deadline for the mqtt-rate thread; a passing run never waits this long. */
    private static final Duration WAIT = Duration.ofSeconds(30);

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
            Await.until("three more publishes", WAIT, () -> fake.publishes().size() == 13);
            nanos.addAndGet(1_000_000_000L);
            Await.until("all publishes", WAIT, () -> fake.publishes().size() == 15);
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
}
