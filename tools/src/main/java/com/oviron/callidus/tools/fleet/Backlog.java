package com.oviron.callidus.tools.fleet;

import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.hal.sim.SimulatedCallidusBoard;
import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.NewReading;
import com.oviron.callidus.store.RetentionSettings;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.sqlite.SqliteTelemetryOutbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An outage at accelerated time: before a complete agent starts, its store gets the readings it would have
 * taken while the cluster was down, through the agent's own outbox ({@link SqliteTelemetryOutbox}): the
 * simulated board sampled every 100 ms (the default) on a clock that runs from {@code outage} ago to now, in
 * group commits of 1000 samples. The agent then starts with that backlog, as after an outage of that length.
 */
final class Backlog {
    private static final Duration SAMPLE_PERIOD = Duration.ofMillis(100);
    private static final int SAMPLES_PER_COMMIT = 1000;

    private Backlog() {
    }

    /** Fills the store of every complete agent of the fleet; returns the readings written in all. */
    static long writeAll(Fleet fleet, Duration outage) throws Exception {
        int n = fleet.options.complete();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
        try {
            Instant from = Instant.now().minus(outage);
            List<Future<Long>> done = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Path folder = fleet.folder(i);
                long seed = i + 1;
                done.add(pool.submit(() -> write(folder, seed, from, outage)));
            }
            long total = 0;
            for (Future<Long> f : done) {
                total += f.get();
            }
            return total;
        } finally {
            pool.shutdown();
        }
    }

    static long write(Path folder, long seed, Instant from, Duration outage) throws IOException, StoreException {
        Files.createDirectories(folder);
        ManualClock clock = new ManualClock(from);
        SimulatedCallidusBoard board = new SimulatedCallidusBoard(clock, seed);
        long samples = outage.toMillis() / SAMPLE_PERIOD.toMillis();
        long written = 0;
        try (SqliteTelemetryOutbox outbox = SqliteTelemetryOutbox.open(folder.resolve("agent.db"), Durability.NORMAL,
                RetentionSettings.defaults(), Clock.systemUTC())) {
            List<NewReading> group = new ArrayList<>(SAMPLES_PER_COMMIT * SimulatedCallidusBoard.CHANNELS.size());
            for (long s = 0; s < samples; s++) {
                clock.advance(SAMPLE_PERIOD);
                for (Reading r : board.sample()) {
                    group.add(new NewReading(r.channelId(), r.timestamp().toEpochMilli(), r.value(), r.quality().code()));
                }
                if (group.size() >= SAMPLES_PER_COMMIT * SimulatedCallidusBoard.CHANNELS.size() || s == samples - 1) {
                    outbox.append(group);
                    written += group.size();
                    group.clear();
                }
            }
        }
        return written;
    }
}
