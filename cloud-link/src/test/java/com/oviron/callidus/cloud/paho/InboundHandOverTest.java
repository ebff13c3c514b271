package com.oviron.callidus.cloud.paho;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InboundHandOverTest {
    @Test
    void the_callback_thread_waits_while_the_budget_is_spent_and_goes_on_when_it_is_freed() throws Exception {
        ExecutorService link = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        List<String> delivered = new CopyOnWriteArrayList<>();
        InboundHandOver handOver = new InboundHandOver(100, link, (topic, payload) -> {
            try {
                release.await(); // the link's thread is busy
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            delivered.add(topic);
        });
        try {
            handOver.handOver("a", new byte[60]);
            handOver.handOver("b", new byte[40]);
            assertEquals(0, handOver.available());
            Thread paho = new Thread(() -> handOver.handOver("c", new byte[10]));
            paho.start();
            Await.until("the callback thread waits for room", Duration.ofSeconds(10),
                    () -> paho.getState() == Thread.State.TIMED_WAITING || paho.getState() == Thread.State.WAITING);
            assertTrue(paho.isAlive());
            release.countDown();
            paho.join(TimeUnit.SECONDS.toMillis(30));
            Await.until("all delivered in order", Duration.ofSeconds(10), () -> delivered.size() == 3);
            assertEquals(List.of("a", "b", "c"), delivered);
            Await.until("the budget is back", Duration.ofSeconds(10), () -> handOver.available() == 100);
        } finally {
            link.shutdownNow();
        }
    }
}
