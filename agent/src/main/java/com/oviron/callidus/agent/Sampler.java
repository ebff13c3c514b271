package com.oviron.callidus.agent;

import com.oviron.callidus.hal.HalException;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.SensorPort;
import com.oviron.callidus.store.GroupCommitWriter;
import com.oviron.callidus.store.NewReading;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.tinylog.Logger;

/**
 * Samples every channel at a fixed rate and hands the readings to the group-commit writer, which never
 * makes it wait for the disk. Runs on its own single thread, which owns the sensor port. A hardware error
 * is counted and logged (rate limited), never fatal: the next sample tries again.
 */
final class Sampler {
    private static final long LOG_EVERY_NTH_ERROR = 100;
    /** How often the hardware link's counters go to the log, for a field tech reading it later. */
    static final Duration DIAGNOSTICS_EVERY = Duration.ofMinutes(10);

    private final SensorPort port;
    private final GroupCommitWriter writer;
    private final ScheduledExecutorService executor;
    private final Duration period;
    private final AtomicLong samples = new AtomicLong();
    private final AtomicLong halErrors = new AtomicLong();
    private final long samplesPerDiagnostics;
    private final java.util.Map<String, Reading> newest = new java.util.concurrent.ConcurrentHashMap<>();
    private ScheduledFuture<?> task;
    private final List<java.util.function.Consumer<List<Reading>>> taps = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<java.util.function.Consumer<HalException>> failureListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    Sampler(SensorPort port, GroupCommitWriter writer, ScheduledExecutorService executor, Duration period) {
        this.samplesPerDiagnostics = Math.max(1, DIAGNOSTICS_EVERY.toNanos() / period.toNanos());
        this.port = port;
        this.writer = writer;
        this.executor = executor;
        this.period = period;
    }

    void start() {
        task = executor.scheduleAtFixedRate(this::sampleOnce, 0, period.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void sampleOnce() {
        try {
            List<Reading> readings = port.sample();
            List<NewReading> rows = new ArrayList<>(readings.size());
            for (Reading r : readings) {
                rows.add(new NewReading(r.channelId(), r.timestamp().toEpochMilli(), r.value(), r.quality().code()));
            }
            long n = samples.incrementAndGet();
            writer.offer(rows);
            for (Reading r : readings) {
                newest.put(r.channelId(), r);
            }
            for (java.util.function.Consumer<List<Reading>> tap : taps) {
                tap.accept(readings);
            }
            if (n % samplesPerDiagnostics == 0) {
                logDiagnostics();
            }
        } catch (HalException e) {
            long n = halErrors.incrementAndGet();
            if (n == 1 || n % LOG_EVERY_NTH_ERROR == 0) {
                Logger.warn("hal sample failed errors={} error={}", n, e.getMessage());
            }
            for (java.util.function.Consumer<HalException> l : failureListeners) {
                l.accept(e);
            }
        } catch (RuntimeException e) {
            // a periodic task that throws is never run again: keep sampling
            halErrors.incrementAndGet();
            Logger.error(e, "sampling failed unexpectedly");
        }
    }

    /** Stops sampling, then writes what is still in memory; blocks until done or the timeout passes. */
    void stopAndFlush(Duration timeout) throws InterruptedException {
        if (task != null) {
            task.cancel(false);
        }
        executor.execute(this::logDiagnostics);
        executor.shutdown();
        if (!executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            Logger.warn("sampler did not stop within {} ms", timeout.toMillis());
            executor.shutdownNow();
        }
        int notWritten = writer.close(timeout);
        Logger.info("sampler stopped samples={} accepted={} notWritten={} droppedInMemory={}", samples.get(),
                writer.written(), notWritten, writer.dropped());
    }

    private void logDiagnostics() {
        java.util.Map<String, Long> counters = port.diagnostics();
        if (!counters.isEmpty()) {
            StringBuilder line = new StringBuilder();
            counters.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
            Logger.info("hal diagnostics samples={} halErrors={}{}", samples.get(), halErrors.get(), line);
        }
    }

    /**
     * Also hands every sample cycle's readings to {@code consumer} (live mode, diagnostics), on the sampler's
     * thread: it must return at once.
     */
    void tap(java.util.function.Consumer<List<Reading>> consumer) {
        taps.add(consumer);
    }

    /** Tells {@code listener} of every cycle in which nothing could be read, on the sampler's thread. */
    void onFailedCycle(java.util.function.Consumer<HalException> listener) {
        failureListeners.add(listener);
    }

    /** The newest reading of each channel (any thread). */
    List<Reading> newest() {
        return List.copyOf(newest.values());
    }

    long samples() {
        return samples.get();
    }

    long halErrors() {
        return halErrors.get();
    }

    int bufferedInMemory() {
        return writer.buffered();
    }

    long droppedInMemory() {
        return writer.dropped();
    }
}
