package com.oviron.callidus.tools.ingest;

import com.oviron.callidus.cloud.EventMessage;
import com.oviron.callidus.cloud.IntervalLog;
import com.oviron.callidus.cloud.MalformedMessageException;
import com.oviron.callidus.cloud.TelemetryBatch;
import com.oviron.callidus.cloud.TelemetryBatchCodec;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.store.StoredEvent;
import com.oviron.callidus.store.TelemetryRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.tinylog.Logger;

/**
 * The consumer's work: messages from the {@link IngestSource} wait in a bounded queue (the source's thread
 * blocks when it is full, so the broker holds the rest); the "ingest-writer" thread takes up to
 * {@code maxMessages} at a time, checks and decodes them (a telemetry batch's content hash, its device against
 * the topic's), drops readings this instance already wrote, writes the rest in one transaction and only then
 * acknowledges the messages. A malformed message is counted, logged once a minute and acknowledged (sending
 * it again would not mend it). When the database fails the same messages are written again every second,
 * unacknowledged meanwhile.
 */
public final class IngestPipeline implements AutoCloseable {
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final Duration LOG_INTERVAL = Duration.ofMinutes(1);

    private final ReadingStore store;
    private final int maxMessages;
    private final BlockingQueue<Delivery> queue;
    private final StreamTracker tracker = new StreamTracker();
    private final Thread thread;
    private final IntervalLog malformedLog = new IntervalLog(LOG_INTERVAL);
    private final IntervalLog failureLog = new IntervalLog(LOG_INTERVAL);
    private volatile boolean running = true;

    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong readingsWritten = new AtomicLong();
    private final AtomicLong duplicateReadings = new AtomicLong();
    private final AtomicLong eventsWritten = new AtomicLong();
    private final AtomicLong duplicateEvents = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong writeFailures = new AtomicLong();
    private volatile long missing;
    private volatile long openGaps;
    private volatile int devices;

    /**
     * @param maxMessages messages per transaction at most; also the queue's size (twice this)
     */
    public IngestPipeline(ReadingStore store, int maxMessages) {
        if (maxMessages < 1) {
            throw new IllegalArgumentException("maxMessages must be at least 1, got " + maxMessages);
        }
        this.store = store;
        this.maxMessages = maxMessages;
        this.queue = new ArrayBlockingQueue<>(2 * maxMessages);
        this.thread = new Thread(this::run, "ingest-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** The source's hand-over: waits while the queue is full. */
    public void accept(Delivery delivery) {
        try {
            while (running) {
                if (queue.offer(delivery, 100, TimeUnit.MILLISECONDS)) {
                    accepted.incrementAndGet();
                    return;
                }
                // the writer is behind: the broker keeps the rest (prefetch, TCP)
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Counters since start. */
    public record Stats(long messages, long readingsWritten, long duplicateReadings, long eventsWritten,
                        long duplicateEvents, long malformed, long writeFailures, int devices, long missing,
                        long openGaps, int waiting) {
    }

    public Stats stats() {
        return new Stats(messages.get(), readingsWritten.get(), duplicateReadings.get(), eventsWritten.get(),
                duplicateEvents.get(), malformed.get(), writeFailures.get(), devices, missing, openGaps,
                queue.size());
    }

    private void run() {
        List<Delivery> batch = new ArrayList<>(maxMessages);
        while (running) {
            try {
                Delivery first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxMessages - 1);
                handle(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                Logger.error(e, "ingest batch failed messages={}", batch.size());
            } finally {
                batch.clear();
            }
        }
    }

    private void handle(List<Delivery> batch) throws InterruptedException {
        List<ReadingStore.DeviceReadings> readings = new ArrayList<>();
        List<ReadingStore.DeviceEvent> events = new ArrayList<>();
        List<TelemetryBatch> decoded = new ArrayList<>();
        long skipped = 0;
        for (Delivery d : batch) {
            Optional<String> device = Topics.deviceOf(d.topic());
            try {
                if (device.isEmpty()) {
                    throw new MalformedMessageException("not a unit's topic");
                }
                if (d.topic().endsWith("/telemetry")) {
                    TelemetryBatch b = TelemetryBatchCodec.decode(d.payload());
                    if (!b.deviceId().equals(device.get())) {
                        throw new MalformedMessageException("batch of device " + b.deviceId() + " on the topic of "
                                + device.get());
                    }
                    List<TelemetryRecord> fresh = new ArrayList<>(b.readings().size());
                    for (TelemetryRecord r : b.readings()) {
                        if (tracker.written(b.deviceId(), r.seq())) {
                            skipped++;
                        } else {
                            fresh.add(r);
                        }
                    }
                    if (!fresh.isEmpty()) {
                        readings.add(new ReadingStore.DeviceReadings(b.deviceId(), fresh));
                    }
                    decoded.add(b);
                } else if (d.topic().endsWith("/events")) {
                    StoredEvent e = EventMessage.decode(d.payload());
                    events.add(new ReadingStore.DeviceEvent(device.get(), e));
                } else {
                    throw new MalformedMessageException("neither telemetry nor events");
                }
            } catch (MalformedMessageException | IllegalArgumentException e) {
                malformed.incrementAndGet();
                long notLogged = malformedLog.occurred();
                if (notLogged >= 0) {
                    Logger.warn("ingest dropped a malformed message topic={} bytes={} error={} malformedSinceStart={}"
                            + " notLogged={}", d.topic(), d.payload().length, e.getMessage(), malformed.get(),
                            notLogged);
                }
            }
        }
        ReadingStore.Written w = writeUntilDone(readings, events);
        if (w == null) {
            return; // closing: nothing acknowledged, the broker sends them again
        }
        for (TelemetryBatch b : decoded) {
            // the batch's readings are in the database now, whoever wrote them
            markBatch(b);
        }
        for (Delivery d : batch) {
            d.ack().run();
        }
        messages.addAndGet(batch.size());
        readingsWritten.addAndGet(w.readingsInserted());
        duplicateReadings.addAndGet(w.readingsDuplicate() + skipped);
        eventsWritten.addAndGet(w.eventsInserted());
        duplicateEvents.addAndGet(w.eventsDuplicate());
        missing = tracker.missing();
        openGaps = tracker.openGaps();
        devices = tracker.devices();
    }

    private void markBatch(TelemetryBatch b) {
        // consecutive runs of sequence numbers (a batch may skip numbers the unit no longer has)
        List<TelemetryRecord> r = b.readings();
        long runStart = r.get(0).seq();
        long prev = runStart;
        for (int i = 1; i < r.size(); i++) {
            long s = r.get(i).seq();
            if (s != prev + 1) {
                tracker.markWritten(b.deviceId(), runStart, prev);
                runStart = s;
            }
            prev = s;
        }
        tracker.markWritten(b.deviceId(), runStart, prev);
    }

    private ReadingStore.Written writeUntilDone(List<ReadingStore.DeviceReadings> readings,
                                                List<ReadingStore.DeviceEvent> events) throws InterruptedException {
        while (running) {
            try {
                return store.write(readings, events);
            } catch (IngestException e) {
                writeFailures.incrementAndGet();
                long notLogged = failureLog.occurred();
                if (notLogged >= 0) {
                    Logger.error("ingest cannot write to the database, retrying every {} ms error={} failures={}"
                            + " notLogged={}", RETRY.toMillis(), e.getMessage(), writeFailures.get(), notLogged);
                }
                Thread.sleep(RETRY.toMillis());
            }
        }
        return null;
    }

    /** Whether every message handed over so far is written and acknowledged. */
    public boolean idle() {
        return accepted.get() == messages.get();
    }

    /** Stops the writer after the batch it is writing; what waits is not acknowledged. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
