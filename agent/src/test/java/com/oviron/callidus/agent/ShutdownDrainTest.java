package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The drain on a clock the test drives: each pause is 20 ms of it. */
class ShutdownDrainTest {
    private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

    private final AtomicLong nanos = new AtomicLong(1_000);
    private final AtomicBoolean connected = new AtomicBoolean(true);
    private final AtomicLong pending = new AtomicLong(10_000);
    private final AtomicLong ackFailures = new AtomicLong(3); // from before the shutdown: they do not count
    private final AtomicInteger pauses = new AtomicInteger();

    private ShutdownDrain drain(Runnable eachPause) {
        return new ShutdownDrain(connected::get, pending::get, ackFailures::get, nanos::get, () -> {
            pauses.incrementAndGet();
            nanos.addAndGet(Duration.ofMillis(20).toNanos());
            eachPause.run();
        });
    }

    @Test
    void an_acknowledgement_the_store_cannot_record_ends_the_drain_at_once_whatever_the_timeout() throws Exception {
        ShutdownDrain.Outcome outcome = drain(() -> {
            if (pauses.get() == 5) {
                ackFailures.incrementAndGet(); // the disk is full: the broker acknowledged, the store could not
            }
        }).run(FIVE_MINUTES);
        assertEquals(ShutdownDrain.Outcome.ACKNOWLEDGEMENTS_FAILING, outcome);
        assertEquals(5, pauses.get(), "ended at the first look after the failure, 100 ms in, not 5 minutes");
    }

    @Test
    void the_drain_ends_when_everything_is_acknowledged() throws Exception {
        ShutdownDrain.Outcome outcome = drain(() -> pending.addAndGet(-1_000)).run(FIVE_MINUTES);
        assertEquals(ShutdownDrain.Outcome.DRAINED, outcome);
        assertEquals(10, pauses.get());
    }

    @Test
    void the_drain_does_not_wait_for_a_link_that_is_down() throws Exception {
        connected.set(false);
        assertEquals(ShutdownDrain.Outcome.LINK_DOWN, drain(() -> { }).run(FIVE_MINUTES));
        assertEquals(0, pauses.get());
    }

    @Test
    void the_drain_gives_up_at_its_timeout_while_acknowledgements_are_recorded_but_readings_keep_coming()
            throws Exception {
        assertEquals(ShutdownDrain.Outcome.TIMED_OUT, drain(() -> { }).run(Duration.ofSeconds(2)));
        assertTrue(pauses.get() >= 100 && pauses.get() <= 101, "2 s of 20 ms pauses: " + pauses.get());
    }
}
