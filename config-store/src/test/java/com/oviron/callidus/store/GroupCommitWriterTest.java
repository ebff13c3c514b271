package com.oviron.callidus.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.store.fake.InMemoryTelemetryOutbox;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GroupCommitWriterTest {
    /** Deadline for the writer thread; a passing run never waits this long, a loaded CI machine may take seconds. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Counts transactions and can hold the next append until released, like a disk stuck in fsync. */
    static final class SlowOutbox implements TelemetryOutbox {
        final InMemoryTelemetryOutbox inner = new InMemoryTelemetryOutbox();
        final AtomicInteger appends = new AtomicInteger();
        final List<Integer> sizes = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile CountDownLatch gate = new CountDownLatch(0);
        final CountDownLatch entered = new CountDownLatch(1);

        @Override
        public long append(List<NewReading> readings) throws StoreException {
            entered.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            appends.incrementAndGet();
            sizes.add(readings.size());
            return inner.append(readings);
        }

        @Override
        public List<TelemetryRecord> readAfter(long afterSeq, int limit) throws StoreException {
            return inner.readAfter(afterSeq, limit);
        }

        @Override
        public void acknowledge(long seq) throws StoreException {
            inner.acknowledge(seq);
        }

        @Override
        public long acknowledgedSeq() throws StoreException {
            return inner.acknowledgedSeq();
        }

        @Override
        public long lastSeq() throws StoreException {
            return inner.lastSeq();
        }

        @Override
        public StoreStats stats() throws StoreException {
            return inner.stats();
        }

        @Override
        public List<PeriodSummary> summarize(long fromMillis, long toMillis, long bucketMillis)
                throws StoreException {
            return inner.summarize(fromMillis, toMillis, bucketMillis);
        }

        @Override
        public long appendEvent(long atMillis, String kind, String severity, String message,
                                java.util.Optional<String> detail) throws StoreException {
            return inner.appendEvent(atMillis, kind, severity, message, detail);
        }

        @Override
        public List<StoredEvent> pendingEvents(int limit) throws StoreException {
            return inner.pendingEvents(limit);
        }

        @Override
        public void acknowledgeEvents(long seq) throws StoreException {
            inner.acknowledgeEvents(seq);
        }

        @Override
        public void deadLetter(long firstSeq, long lastSeq, byte[] payload, String reason, long atMillis)
                throws StoreException {
            inner.deadLetter(firstSeq, lastSeq, payload, reason, atMillis);
        }

        @Override
        public long deadLetterCount() throws StoreException {
            return inner.deadLetterCount();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    private final SlowOutbox outbox = new SlowOutbox();
    private GroupCommitWriter writer;

    @AfterEach
    void close() {
        outbox.gate.countDown();
        if (writer != null) {
            writer.close(WAIT);
        }
    }

    private static List<NewReading> n(int count) {
        return IntStream.range(0, count).mapToObj(i -> new NewReading("c", i, i, 0)).toList();
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            // a pause, not a spin: a spinning test thread takes the CPU the writer thread needs
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    @Test
    void writes_one_transaction_when_a_group_is_full() throws Exception {
        writer = new GroupCommitWriter(outbox, 10, Duration.ofHours(1), 100);
        writer.offer(n(4));
        writer.offer(n(6));
        await("group written", () -> writer.written() == 10);
        assertEquals(1, outbox.appends.get());
        assertEquals(10, outbox.lastSeq());
    }

    @Test
    void writes_a_partial_group_once_its_oldest_reading_has_waited_max_delay() throws Exception {
        writer = new GroupCommitWriter(outbox, 1_000, Duration.ofMillis(50), 10_000);
        long start = System.nanoTime();
        writer.offer(n(3));
        await("partial group written", () -> writer.written() == 3);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50), "written before max delay");
        assertEquals(1, outbox.appends.get());
    }

    @Test
    void readings_added_to_a_group_that_is_not_due_do_not_wake_the_writer() throws Exception {
        writer = new GroupCommitWriter(outbox, 1_000, Duration.ofSeconds(2), 10_000);
        for (int i = 0; i < 25; i++) {
            writer.offer(n(9)); // a sample cycle's readings, as the sampler hands them over
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        assertTrue(writer.wakeUpsBeforeDue() <= 1, "woken " + writer.wakeUpsBeforeDue() + " times before the group"
                + " was due (the first offer of a group sets its deadline, the others must not wake it)");
        await("group written after its delay", () -> writer.written() == 225);
        assertEquals(1, outbox.appends.get());
        writer.offer(n(1_000)); // a full group is due at once, whatever the delay
        await("full group written", () -> writer.written() == 1_225);
    }

    @Test
    void offer_never_waits_for_a_stuck_disk_and_memory_stays_bounded() throws Exception {
        outbox.gate = new CountDownLatch(1);
        writer = new GroupCommitWriter(outbox, 10, Duration.ZERO, 50);
        writer.offer(n(10));
        assertTrue(outbox.entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        for (int i = 0; i < 20; i++) {
            writer.offer(n(10)); // returns although the writer thread is stuck in append
        }
        assertEquals(60, writer.buffered(), "50 in memory + the 10 being written");
        assertEquals(150, writer.dropped());
        outbox.gate.countDown();
        await("all written", () -> writer.written() == 60);
        assertEquals(60, outbox.lastSeq());
    }

    @Test
    void keeps_readings_while_the_store_fails_and_writes_them_in_order_when_it_recovers() throws Exception {
        outbox.inner.failNextAppends(2);
        writer = new GroupCommitWriter(outbox, 5, Duration.ZERO, 100);
        writer.offer(List.of(new NewReading("a", 1, 1, 0), new NewReading("b", 2, 2, 0)));
        await("two failures", () -> writer.failedWrites() == 2);
        writer.offer(List.of(new NewReading("c", 3, 3, 0)));
        await("written after recovery", () -> writer.written() == 3);
        assertEquals(List.of("a", "b", "c"),
                outbox.readAfter(0, 10).stream().map(TelemetryRecord::channelId).toList());
    }

    @Test
    void a_backlog_in_memory_is_written_in_transactions_of_at_most_the_group_size_in_order() throws Exception {
        outbox.gate = new CountDownLatch(1);
        writer = new GroupCommitWriter(outbox, 10, Duration.ZERO, 1_000);
        writer.offer(n(3));
        assertTrue(outbox.entered.await(5, TimeUnit.SECONDS));
        for (int i = 0; i < 47; i++) {
            writer.offer(List.of(new NewReading("c", 100 + i, i, 0)));
        }
        outbox.gate.countDown();
        await("all written", () -> writer.written() == 50);
        assertEquals(List.of(3, 10, 10, 10, 10, 7), outbox.sizes, "small transactions, a full disk takes them");
        List<Long> ts = outbox.readAfter(3, 100).stream().map(TelemetryRecord::timestampMillis).toList();
        assertEquals(IntStream.range(0, 47).mapToObj(i -> 100L + i).toList(), ts);
    }

    @Test
    void close_writes_what_is_in_memory() throws Exception {
        writer = new GroupCommitWriter(outbox, 1_000, Duration.ofHours(1), 10_000);
        writer.offer(n(7));
        assertEquals(0, writer.close(WAIT));
        assertEquals(7, outbox.lastSeq());
        assertThrows(IllegalStateException.class, () -> writer.offer(n(1)));
    }

    @Test
    void rejects_a_capacity_below_the_group_size() {
        assertThrows(IllegalArgumentException.class, () -> new GroupCommitWriter(outbox, 10, Duration.ZERO, 5));
    }
}
