package com.oviron.callidus.cloud;

/**
 * How many readings the next telemetry batch holds (ADR 0027). Caught up (at most {@code batchMaxReadings}
 * wait), a batch holds up to {@code batchMaxReadings}, as it always has. While a backlog waits, batches grow to
 * what fits {@link #FILL} of {@code catchUpMaxBytes} at the last batch's bytes per reading, at most
 * {@code catchUpMaxReadings}; a grown batch that still encodes larger than {@code catchUpMaxBytes} is cut to fit
 * before it is sent ({@link #cutTo}), so a grown batch never reaches the dead-letter limit of 128 KiB.
 *
 * <p>Not thread-safe: the sync's thread owns it.
 */
final class BatchSizer {
    /** Grown batches aim at this share of {@code catchUpMaxBytes}, so that most fit at the first encoding. */
    static final double FILL = 0.85;

    private final SyncSettings settings;
    private double bytesPerReading;

    BatchSizer(SyncSettings settings) {
        this.settings = settings;
    }

    /** Readings to ask the outbox for, with {@code waiting} readings after the last one sent. */
    int readingsFor(long waiting) {
        int base = settings.batchMaxReadings();
        if (!settings.growsForBacklog() || waiting <= base || bytesPerReading <= 0) {
            return base; // the first batch of a backlog is a normal one: it tells the bytes per reading
        }
        long fit = (long) (settings.catchUpMaxBytes() * FILL / bytesPerReading);
        return (int) Math.max(base, Math.min(settings.catchUpMaxReadings(), fit));
    }

    /** Whether a batch of this many readings, encoded to this many bytes, must be cut before it is sent. */
    boolean tooLarge(int readings, int bytes) {
        return readings > settings.batchMaxReadings() && bytes > settings.catchUpMaxBytes();
    }

    /** How many readings of a batch that was {@link #tooLarge} to keep: in proportion, never fewer than the base. */
    int cutTo(int readings, int bytes) {
        long keep = (long) (readings * (settings.catchUpMaxBytes() * FILL / bytes));
        return (int) Math.max(settings.batchMaxReadings(), Math.min(readings - 1L, keep));
    }

    /** Learns the size of the batch just encoded (the next one is sized by it). */
    void encoded(int readings, int bytes) {
        bytesPerReading = (double) bytes / readings;
    }
}
