package com.oviron.callidus.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.oviron.callidus.store.fake.InMemoryTelemetryOutbox;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupCommitBufferTest {
    static final class SteppedClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final InMemoryTelemetryOutbox outbox = new InMemoryTelemetryOutbox();
    private final SteppedClock clock = new SteppedClock();
    private final GroupCommitBuffer buffer = new GroupCommitBuffer(outbox, 10, Duration.ofMillis(500), 25, clock);

    private static List<NewReading> n(int count) {
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> new NewReading("c", i, i, 0)).toList();
    }

    @Test
    void writes_a_group_when_it_is_full() throws Exception {
        buffer.add(n(9));
        assertEquals(0, outbox.lastSeq());
        buffer.add(n(1));
        assertEquals(10, outbox.lastSeq());
        assertEquals(0, buffer.buffered());
    }

    @Test
    void writes_a_group_when_the_oldest_reading_has_waited_long_enough() throws Exception {
        buffer.add(n(2));
        clock.now = clock.now.plusMillis(499);
        assertEquals(0, buffer.flushIfDue());
        clock.now = clock.now.plusMillis(1);
        assertEquals(2, buffer.flushIfDue());
        assertEquals(2, outbox.lastSeq());
    }

    @Test
    void keeps_readings_while_the_store_fails_and_writes_them_when_it_recovers() throws Exception {
        outbox.failNextAppends(1);
        buffer.add(n(10));
        assertEquals(10, buffer.buffered());
        assertEquals(1, buffer.failedFlushes());
        buffer.add(n(1));
        assertEquals(11, outbox.lastSeq());
    }

    @Test
    void drops_the_oldest_beyond_capacity_and_counts_them() throws Exception {
        outbox.failNextAppends(100);
        for (int i = 0; i < 4; i++) {
            buffer.add(List.of(new NewReading("c", i * 10L, i, 0)));
            buffer.add(n(9));
        }
        assertEquals(25, buffer.buffered());
        assertEquals(15, buffer.dropped());
        outbox.failNextAppends(0);
        assertEquals(25, buffer.flush());
        assertEquals(25, outbox.lastSeq());
    }

    @Test
    void flush_writes_everything_buffered() throws Exception {
        buffer.add(n(3));
        assertEquals(3, buffer.flush());
        assertEquals(0, buffer.flush());
        assertEquals(3, outbox.lastSeq());
    }
}
