package com.oviron.callidus.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.fake.FakeMqttConnection;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.store.NewReading;
import com.oviron.callidus.store.fake.InMemoryTelemetryOutbox;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TelemetrySyncTest {
    /** Deadline for the sync's thread; a passing run never waits this long, a loaded CI machine may take seconds. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final InMemoryTelemetryOutbox outbox = new InMemoryTelemetryOutbox();
    private final FakeMqttConnection link = new FakeMqttConnection();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private final Topics topics = new Topics("CAL-0001");
    private TelemetrySync sync;

    private void startSync(int batchMax, int window) {
        startSync(batchMax, window, 0);
    }

    private void startSync(int batchMax, int window, int perSecond) {
        sync = new TelemetrySync(outbox, link, topics, new SyncSettings(batchMax, window, Duration.ofMillis(20),
                perSecond), executor, Clock.systemUTC());
        sync.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (sync != null) {
            sync.close();
        }
        executor.shutdownNow();
        executor.awaitTermination(1, TimeUnit.SECONDS);
    }

    private void store(int count) throws Exception {
        List<NewReading> list = new ArrayList<>();
        long base = outbox.lastSeq();
        for (int i = 0; i < count; i++) {
            list.add(new NewReading("ch" + (i % 2), 1_000 + base + i, base + i, 0));
        }
        outbox.append(list);
    }

    private TelemetryBatch decoded(int index) throws MalformedMessageException {
        return TelemetryBatchCodec.decode(link.publishes().get(index).payload());
    }

    private void awaitPublishes(int count) {
        Await.until(() -> "publishes >= " + count + ", have " + link.publishes().size(), WAIT,
                () -> link.publishes().size() >= count);
    }

    @Test
    void publishes_batches_in_order_with_qos1_and_acknowledges_only_after_the_puback() throws Exception {
        store(7);
        startSync(3, 1);
        link.connect();
        awaitPublishes(1);
        FakeMqttConnection.Publish first = link.publishes().get(0);
        assertEquals("callidus/v1/CAL-0001/telemetry", first.topic());
        assertEquals(1, first.qos());
        assertEquals(false, first.retained());
        assertEquals(1, decoded(0).firstSeq());
        assertEquals(3, decoded(0).lastSeq());
        assertEquals(0, outbox.acknowledgedSeq());

        first.ack();
        awaitPublishes(2);
        assertEquals(3, outbox.acknowledgedSeq());
        assertEquals(4, decoded(1).firstSeq());
        link.publishes().get(1).ack();
        awaitPublishes(3);
        assertEquals(7, decoded(2).lastSeq());
        link.publishes().get(2).ack();
        Await.until("all acknowledged", WAIT, () -> sync.stats().acknowledgedSeq() == 7);
        assertEquals(0, outbox.pendingCount());
    }

    @Test
    void keeps_no_more_than_the_window_in_flight() throws Exception {
        store(50);
        startSync(5, 3);
        link.connect();
        awaitPublishes(3);
        // several ticks pass without acknowledgements: still three
        Await.until("ticks", WAIT, () -> sync.stats().batchesPublished() == 3);
        executor.submit(() -> { }).get();
        executor.schedule(() -> { }, 100, TimeUnit.MILLISECONDS).get();
        assertEquals(3, link.publishes().size());
    }

    @Test
    void acknowledges_in_the_outbox_only_up_to_the_first_unacknowledged_batch() throws Exception {
        store(9);
        startSync(3, 3);
        link.connect();
        awaitPublishes(3);
        link.publishes().get(1).ack();
        link.publishes().get(2).ack();
        Await.until("acks processed", WAIT, () -> sync.stats().batchesAcked() == 2);
        assertEquals(0, outbox.acknowledgedSeq());
        link.publishes().get(0).ack();
        Await.until("cursor moves to 9", WAIT, () -> sync.stats().acknowledgedSeq() == 9);
        assertEquals(9, outbox.acknowledgedSeq());
    }

    @Test
    void sends_nothing_while_disconnected() throws Exception {
        store(4);
        startSync(10, 2);
        executor.schedule(() -> { }, 100, TimeUnit.MILLISECONDS).get();
        assertTrue(link.publishes().isEmpty());
        link.connect();
        awaitPublishes(1);
    }

    @Test
    void resends_unacknowledged_batches_first_after_a_reconnect() throws Exception {
        store(6);
        startSync(2, 2);
        link.connect();
        awaitPublishes(2);
        link.publishes().get(0).ack();
        awaitPublishes(3); // 5..6 follows once 1..2 is acknowledged
        link.disconnect("cable pulled");
        // a PUBACK that arrives after the cut belongs to the old session: it must not move the cursor
        link.publishes().get(2).ack();
        link.connect();
        awaitPublishes(5);
        assertEquals(3, decoded(3).firstSeq());
        assertEquals(5, decoded(4).firstSeq());
        assertEquals(2, outbox.acknowledgedSeq());
        link.publishes().get(3).ack();
        link.publishes().get(4).ack();
        Await.until("all acknowledged", WAIT, () -> sync.stats().acknowledgedSeq() == 6);
        assertEquals(1, sync.stats().resends());
    }

    @Test
    void a_refused_publish_is_sent_again_from_the_outbox() throws Exception {
        store(2);
        startSync(10, 1);
        link.connect();
        awaitPublishes(1);
        link.publishes().get(0).fail("broker said no");
        awaitPublishes(2);
        assertEquals(1, decoded(1).firstSeq());
        assertEquals(2, decoded(1).lastSeq());
        assertEquals(1, sync.stats().publishFailures());
    }

    @Test
    void alarms_go_before_backlog_telemetry_one_at_a_time() throws Exception {
        store(6);
        outbox.appendEvent(5_000, "store.corrupt", "alarm", "moved aside");
        outbox.appendEvent(5_001, "store.retention", "audit", "dropped");
        startSync(3, 4);
        link.connect();
        awaitPublishes(1);
        assertEquals("callidus/v1/CAL-0001/events", link.publishes().get(0).topic());
        assertEquals("store.corrupt", EventMessage.decode(link.publishes().get(0).payload()).kind());
        executor.schedule(() -> { }, 100, TimeUnit.MILLISECONDS).get();
        assertEquals(1, link.publishes().size(), "nothing else until the alarm is acknowledged");
        link.publishes().get(0).ack();
        awaitPublishes(2);
        assertEquals(2, EventMessage.decode(link.publishes().get(1).payload()).seq());
        link.publishes().get(1).ack();
        awaitPublishes(4);
        assertEquals("callidus/v1/CAL-0001/telemetry", link.publishes().get(2).topic());
        Await.until("events acknowledged", WAIT, () -> {
            try {
                return outbox.pendingEvents(10).isEmpty();
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void a_batch_the_broker_keeps_refusing_is_set_aside_and_the_stream_goes_on() throws Exception {
        store(6);
        startSync(3, 1);
        link.connect();
        for (int attempt = 1; attempt <= TelemetrySync.POISON_ATTEMPTS; attempt++) {
            awaitPublishes(attempt);
            assertEquals(1, decoded(attempt - 1).firstSeq());
            link.publishes().get(attempt - 1).refuse(0x87, "the broker refused the publish: 0x87 not authorized");
        }
        awaitPublishes(TelemetrySync.POISON_ATTEMPTS + 1);
        // the alarm about it goes first, then the next batch
        FakeMqttConnection.Publish alarm = link.publishes().get(TelemetrySync.POISON_ATTEMPTS);
        assertEquals("callidus/v1/CAL-0001/events", alarm.topic());
        assertEquals("telemetry.dead_letter", EventMessage.decode(alarm.payload()).kind());
        alarm.ack();
        awaitPublishes(TelemetrySync.POISON_ATTEMPTS + 2);
        Await.until("next batch", WAIT, () -> link.publishes().stream()
                .anyMatch(p -> p.topic().endsWith("/telemetry") && firstSeqOf(p) == 4));
        assertEquals(1, outbox.deadLetterCount());
        assertEquals(3, outbox.acknowledgedSeq(), "the poison batch left the stream");
    }

    private static long firstSeqOf(FakeMqttConnection.Publish p) {
        try {
            return TelemetryBatchCodec.decode(p.payload()).firstSeq();
        } catch (MalformedMessageException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void back_pressure_and_local_failures_never_dead_letter_a_batch_however_often_they_happen() throws Exception {
        store(3);
        startSync(3, 1);
        link.connect();
        int attempts = 4 * TelemetrySync.POISON_ATTEMPTS;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            awaitPublishes(attempt);
            FakeMqttConnection.Publish p = link.publishes().get(attempt - 1);
            assertEquals("callidus/v1/CAL-0001/telemetry", p.topic(), "no dead-letter alarm");
            if (attempt % 2 == 0) {
                p.busy("more than 2000 telemetry publishes wait for the connection-wide rate limit");
            } else {
                p.fail("Too many publishes in progress (32202)");
            }
        }
        awaitPublishes(attempts + 1);
        link.publishes().get(attempts).ack();
        Await.until("acknowledged", WAIT, () -> sync.stats().acknowledgedSeq() == 3);
        assertEquals(0, outbox.deadLetterCount());
        assertEquals(attempts, sync.stats().publishFailures());
    }

    @Test
    void a_temporary_refusal_never_dead_letters_a_batch_however_often_it_comes() throws Exception {
        store(3);
        startSync(3, 1);
        link.connect();
        int attempts = 2 * TelemetrySync.POISON_ATTEMPTS;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            awaitPublishes(attempt);
            FakeMqttConnection.Publish p = link.publishes().get(attempt - 1);
            assertEquals("callidus/v1/CAL-0001/telemetry", p.topic(), "no dead-letter alarm");
            p.refuse(0x97, "the broker refused the publish: 0x97 quota exceeded");
        }
        awaitPublishes(attempts + 1);
        link.publishes().get(attempts).ack();
        Await.until("acknowledged", WAIT, () -> sync.stats().acknowledgedSeq() == 3);
        assertEquals(0, outbox.deadLetterCount());
    }

    @Test
    void a_few_refusals_do_not_make_a_batch_poison() throws Exception {
        store(3);
        startSync(3, 1);
        link.connect();
        for (int attempt = 1; attempt < TelemetrySync.POISON_ATTEMPTS; attempt++) {
            awaitPublishes(attempt);
            link.publishes().get(attempt - 1).refuse(0x87, "the broker refused the publish: 0x87 not authorized");
        }
        awaitPublishes(TelemetrySync.POISON_ATTEMPTS);
        link.publishes().get(TelemetrySync.POISON_ATTEMPTS - 1).ack();
        Await.until("acknowledged", WAIT, () -> sync.stats().acknowledgedSeq() == 3);
        assertEquals(0, outbox.deadLetterCount());
    }

    /** The link the sync sees, noting when each publish was made (System.nanoTime()). */
    private static final class TimedConnection implements MqttConnection {
        private final MqttConnection inner;
        private final List<Long> publishedAt = new java.util.concurrent.CopyOnWriteArrayList<>();

        TimedConnection(MqttConnection inner) {
            this.inner = inner;
        }

        long publishedAt(int index) {
            return publishedAt.get(index);
        }

        @Override
        public void start() {
            inner.start();
        }

        @Override
        public boolean isConnected() {
            return inner.isConnected();
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> publish(String topic, byte[] payload, int qos,
                                                                     boolean retained) {
            publishedAt.add(System.nanoTime());
            return inner.publish(topic, payload, qos, retained);
        }

        @Override
        public void subscribe(String filter, int qos, MessageListener listener) {
            inner.subscribe(filter, qos, listener);
        }

        @Override
        public void addListener(ConnectionListener listener) {
            inner.addListener(listener);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @Test
    void a_backlog_is_replayed_no_faster_than_the_publish_rate() throws Exception {
        store(20);
        TimedConnection timed = new TimedConnection(link);
        long before = System.nanoTime(); // the sync's token bucket is made after this, full: two tokens
        sync = new TelemetrySync(outbox, timed, topics, new SyncSettings(1, 20, Duration.ofMillis(20), 2), executor,
                Clock.systemUTC());
        sync.start();
        link.connect();
        awaitPublishes(5);
        // two publishes per second, bursts of one second's worth: however slow or fast the machine, the k-th
        // publish comes no sooner than (k - 2) / 2 s after the bucket was made (the window would allow 20 at once)
        for (int k = 3; k <= 5; k++) {
            long earliest = before + (k - 2) * 500_000_000L - 1_000_000L; // 1 ms for the bucket's rounding
            long at = timed.publishedAt(k - 1);
            assertTrue(at >= earliest, "publish " + k + " came " + (earliest - at) / 1_000_000 + " ms too early");
        }
    }

    @Test
    void new_readings_are_picked_up_while_running() throws Exception {
        startSync(100, 1);
        link.connect();
        store(3);
        awaitPublishes(1);
        link.publishes().get(0).ack();
        store(2);
        awaitPublishes(2);
        assertEquals(4, decoded(1).firstSeq());
    }

    @Test
    void an_acknowledgement_the_outbox_cannot_record_is_counted_and_the_next_one_covers_it() throws Exception {
        store(6);
        outbox.failNextAcknowledgements(1);
        startSync(3, 1);
        link.connect();
        awaitPublishes(1);
        assertEquals(0, sync.acknowledgementFailures());
        link.publishes().get(0).ack();
        Await.until("the failure counted", WAIT, () -> sync.acknowledgementFailures() == 1);
        assertEquals(0, outbox.acknowledgedSeq(), "nothing recorded");
        awaitPublishes(2);
        link.publishes().get(1).ack();
        Await.until("the next acknowledgement records both batches", WAIT, () -> sync.stats().acknowledgedSeq() == 6);
        assertEquals(6, outbox.acknowledgedSeq());
        assertEquals(1, sync.acknowledgementFailures());
    }

    private static final int GROWN_READINGS = 8_192;
    private static final int GROWN_BYTES = 16 * 1024;

    private void startGrowingSync(int batchMax) {
        sync = new TelemetrySync(outbox, link, topics, new SyncSettings(batchMax, 4, Duration.ofMillis(20), 0,
                GROWN_READINGS, GROWN_BYTES), executor, Clock.systemUTC());
        sync.start();
    }

    /** Acknowledges every publish as it comes until the outbox has nothing pending; returns the batches. */
    private List<TelemetryBatch> ackUntilCaughtUp() throws Exception {
        int acked = 0;
        while (outbox.pendingCount() > 0) {
            awaitPublishesOrCaughtUp(acked + 1);
            List<FakeMqttConnection.Publish> all = link.publishes();
            for (; acked < all.size(); acked++) {
                all.get(acked).ack();
            }
        }
        List<TelemetryBatch> batches = new ArrayList<>();
        for (int i = 0; i < link.publishes().size(); i++) {
            batches.add(decoded(i));
        }
        return batches;
    }

    private void awaitPublishesOrCaughtUp(int count) throws Exception {
        Await.until(() -> "publishes >= " + count + ", have " + link.publishes().size(), WAIT, () -> {
            try {
                return link.publishes().size() >= count || outbox.pendingCount() == 0;
            } catch (com.oviron.callidus.store.StoreException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void assertContiguous(List<TelemetryBatch> batches, long last) {
        long next = 1;
        for (TelemetryBatch b : batches) {
            assertEquals(next, b.firstSeq(), "batches follow each other without gap or overlap");
            assertEquals(b.lastSeq() - b.firstSeq() + 1, b.readings().size());
            next = b.lastSeq() + 1;
        }
        assertEquals(last + 1, next);
    }

    @Test
    void a_few_more_readings_than_a_batch_are_no_backlog_in_the_log_a_real_backlog_is_until_caught_up()
            throws Exception {
        startTickedSync(500);
        store(504); // a second of live data at 500 readings/s is often a little more than one batch
        executor.submit(sync::tick).get();
        ackUntilCaughtUp();
        assertEquals(0, sync.backlogsAnnounced(), "a few readings over one batch: no 'replaying a backlog' line");

        int before = link.publishes().size();
        store(100_000); // what an outage left, not one interval's arrivals: no tick in between
        sync.syncSoon();
        awaitPublishes(before + 1);
        assertTrue(sync.replayingBacklog(), "200 batches' worth waiting: a backlog");
        ackUntilCaughtUp();
        store(450);
        int caughtUp = link.publishes().size();
        sync.syncSoon();
        awaitPublishes(caughtUp + 1);
        assertFalse(sync.replayingBacklog(), "caught up");
        assertEquals(1, sync.backlogsAnnounced(), "one backlog, one line");
    }

    @Test
    void what_runs_before_a_replay_goes_ahead_of_its_first_batch_once_per_backlog_and_per_session() throws Exception {
        startSync(10, 2);
        sync.setBeforeReplay(() -> link.publish(topics.live(), new byte[] {1}, 0, false));
        store(5);
        link.connect();
        awaitPublishes(1);
        assertEquals(topics.telemetry(), link.publishes().get(0).topic(), "five readings are no backlog");
        link.publishes().get(0).ack();
        Await.until("caught up", WAIT, () -> sync.stats().acknowledgedSeq() == 5);

        store(1_000); // a hundred batches' worth: an outage's backlog
        sync.syncSoon();
        awaitPublishes(4);
        List<String> topicsSent = link.publishes().stream().map(FakeMqttConnection.Publish::topic).toList();
        assertEquals(List.of(topics.telemetry(), topics.live(), topics.telemetry(), topics.telemetry()),
                topicsSent.subList(0, 4), "the hook ran before the backlog's first batch");

        link.disconnect("cable pulled"); // the backlog is still there on the next session: the hook runs again
        link.connect();
        awaitPublishes(7);
        topicsSent = link.publishes().stream().map(FakeMqttConnection.Publish::topic).toList();
        assertEquals(List.of(topics.live(), topics.telemetry(), topics.telemetry()), topicsSent.subList(4, 7));
        assertEquals(2, topicsSent.stream().filter(topics.live()::equals).count(), "once per session: " + topicsSent);
    }

    @Test
    void a_hook_that_throws_does_not_stop_the_replay() throws Exception {
        startSync(10, 2);
        sync.setBeforeReplay(() -> {
            throw new IllegalStateException("live view broken");
        });
        store(1_000);
        link.connect();
        awaitPublishes(2);
        assertEquals(topics.telemetry(), link.publishes().get(0).topic());
        assertTrue(sync.replayingBacklog());
    }

    /** A growing sync whose ticker waits an hour, connected and ticked once: the test ticks it. */
    private void startTickedSync(int batchMax) throws Exception {
        sync = new TelemetrySync(outbox, link, topics, new SyncSettings(batchMax, 4, Duration.ofHours(1), 0,
                GROWN_READINGS, GROWN_BYTES), executor, Clock.systemUTC());
        sync.start();
        link.connect();
        executor.submit(sync::tick).get();
    }

    @Test
    void what_one_long_interval_brings_is_live_data_not_a_backlog() throws Exception {
        // a 10 s interval at 250 readings/s: 2,500 readings per tick, five batches' worth, every time
        startTickedSync(500);
        for (int interval = 0; interval < 3; interval++) {
            store(2_500);
            executor.submit(sync::tick).get();
            ackUntilCaughtUp();
        }
        assertEquals(0, sync.backlogsAnnounced(), "an interval's worth of live readings is no backlog");
        assertFalse(sync.replayingBacklog());

        store(20_000); // eight intervals' worth: the link was down for a while
        sync.syncSoon();
        ackUntilCaughtUp();
        assertEquals(1, sync.backlogsAnnounced(), "more than four intervals' worth waiting: a backlog");
        assertFalse(sync.replayingBacklog(), "caught up");
    }

    @Test
    void a_backlog_goes_out_in_batches_grown_within_the_byte_limit_and_normal_ones_once_caught_up() throws Exception {
        store(100_000);
        startGrowingSync(500);
        link.connect();
        List<TelemetryBatch> backlog = ackUntilCaughtUp();
        assertEquals(500, backlog.get(0).readings().size(), "the first batch is a normal one");
        int largest = backlog.stream().mapToInt(b -> b.readings().size()).max().orElseThrow();
        assertTrue(largest > 500, "batches grew under the backlog: largest " + largest);
        assertTrue(largest <= GROWN_READINGS, "at most catchUpMaxReadings: " + largest);
        for (FakeMqttConnection.Publish p : link.publishes()) {
            assertTrue(p.payload().length <= GROWN_BYTES, "payload of " + p.payload().length + " bytes");
        }
        assertContiguous(backlog, 100_000);
        assertTrue(backlog.size() < 100_000 / 500, "fewer messages than at the normal size: " + backlog.size());

        int before = link.publishes().size();
        store(450);
        awaitPublishes(before + 1);
        assertEquals(450, decoded(before).readings().size(), "caught up: what waits, in one normal batch");
        assertTrue(link.publishes().get(before).payload().length < 2_048);
        assertEquals(0, outbox.deadLetterCount());
    }

    @Test
    void a_grown_batch_that_encodes_larger_than_the_limit_is_cut_to_fit_and_never_dead_lettered() throws Exception {
        // raw doubles that do not compress: about 10 bytes per reading, so the reading limit alone would not fit
        java.util.Random random = new java.util.Random(7);
        List<NewReading> list = new ArrayList<>();
        for (int i = 0; i < 60_000; i++) {
            list.add(new NewReading("ch" + (i % 3), 1_000 + i, random.nextDouble() * 1e6, 0));
        }
        outbox.append(list);
        startGrowingSync(200);
        link.connect();
        List<TelemetryBatch> batches = ackUntilCaughtUp();
        for (FakeMqttConnection.Publish p : link.publishes()) {
            assertTrue(p.payload().length <= GROWN_BYTES, "payload of " + p.payload().length + " bytes");
        }
        assertTrue(batches.stream().anyMatch(b -> b.readings().size() > 200), "batches grew");
        assertContiguous(batches, 60_000);
        assertEquals(0, outbox.deadLetterCount());
    }

    @Test
    void alarms_still_go_before_the_grown_batches_of_a_backlog() throws Exception {
        store(50_000);
        startGrowingSync(500);
        link.connect();
        awaitPublishes(2);
        link.publishes().get(0).ack();
        link.publishes().get(1).ack();
        awaitPublishes(6); // two acknowledged, the window of four full: nothing more until an ack or an alarm
        assertTrue(sizeOf(link.publishes().get(5)) > 500, "grown batches in flight");
        int before = link.publishes().size();
        outbox.appendEvent(5, "door.open", "alarm", "the cover is open");
        awaitPublishes(before + 1);
        assertEquals(topics.events(), link.publishes().get(before).topic(), "the alarm before the next batch");
    }

    private static int sizeOf(FakeMqttConnection.Publish p) {
        try {
            return TelemetryBatchCodec.decode(p.payload()).readings().size();
        } catch (MalformedMessageException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void a_live_message_is_not_queued_behind_the_grown_batches_of_a_backlog() throws Exception {
        store(200_000);
        RateLimitedMqttConnection limited = new RateLimitedMqttConnection(link, 80);
        sync = new TelemetrySync(outbox, limited, topics, new SyncSettings(500, 8, Duration.ofMillis(20), 50,
                GROWN_READINGS, GROWN_BYTES), executor, Clock.systemUTC());
        sync.start();
        link.connect();
        for (int i = 0; i < 3; i++) {
            awaitPublishes(i + 1);
            link.publishes().get(i).ack(); // the backlog is under way, with grown batches in flight
        }
        awaitPublishes(4);
        limited.publish(topics.live(), "{}".getBytes(), 0, false);
        Await.until("the live message sent", WAIT, () -> link.publishes().stream()
                .anyMatch(p -> p.topic().equals(topics.live())));
        assertTrue(outbox.pendingCount() > 100_000, "while the backlog waits");
        limited.close();
    }
}
