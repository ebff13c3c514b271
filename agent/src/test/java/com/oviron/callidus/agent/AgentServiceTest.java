package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.agent.systemd.LivenessCheck;
import com.oviron.callidus.cloud.testing.Await;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AgentServiceTest {
    @Test
    void no_progress_is_a_problem_after_half_the_watchdog_interval_or_three_sample_periods() {
        assertEquals(Duration.ofSeconds(30), AgentService.allowance(Duration.ofSeconds(60), Duration.ofMillis(100)));
        assertEquals(Duration.ofSeconds(30), AgentService.allowance(Duration.ofSeconds(20), Duration.ofSeconds(10)),
                "a slow sample period is not mistaken for a hang");
        assertEquals(Duration.ofSeconds(2), AgentService.allowance(Duration.ofSeconds(1), Duration.ofMillis(10)),
                "never less than two heartbeats");
    }

    @Test
    void a_counter_that_moves_is_progress_and_one_that_stops_becomes_a_problem_with_a_stable_text() {
        AtomicLong cycles = new AtomicLong();
        LivenessCheck check = AgentService.progress("sampler made no progress", cycles::get, Duration.ofMillis(200));
        cycles.incrementAndGet();
        assertEquals(Optional.empty(), check.problem());
        Await.until("the allowance passes without progress", Duration.ofSeconds(30),
                () -> check.problem().isPresent());
        assertEquals(Optional.of("sampler made no progress for more than 200 ms"), check.problem());
        cycles.incrementAndGet();
        assertEquals(Optional.empty(), check.problem());
    }

    @Test
    void an_old_heartbeat_is_a_problem() {
        AtomicLong beat = new AtomicLong(System.nanoTime());
        LivenessCheck check = AgentService.recent("telemetry-sync thread unresponsive", beat::get,
                Duration.ofMillis(100));
        assertEquals(Optional.empty(), check.problem());
        beat.set(System.nanoTime() - Duration.ofSeconds(5).toNanos());
        assertTrue(check.problem().orElseThrow().startsWith("telemetry-sync thread unresponsive for more than"));
    }
}
