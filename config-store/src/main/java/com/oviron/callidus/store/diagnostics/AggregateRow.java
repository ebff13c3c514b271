package com.oviron.callidus.store.diagnostics;

import java.util.Objects;

/**
 * Figures of one channel in one time bucket.
 *
 * @param level            minute, hour or day
 * @param channel          the channel id
 * @param startMillis      the bucket's start (a multiple of the level's length since the epoch, UTC)
 * @param count            readings with a fresh value (quality good or out of range)
 * @param min              smallest of them (NaN when {@code count} is 0)
 * @param max              largest of them (NaN when {@code count} is 0)
 * @param sum              their sum (the mean is {@code sum / count})
 * @param observedMillis   time covered by readings with a fresh value
 * @param outOfRangeMillis of that, the time the value was outside the channel's valid range
 */
public record AggregateRow(AggregateLevel level, String channel, long startMillis, long count, double min, double max,
                           double sum, long observedMillis, long outOfRangeMillis) {
    public AggregateRow {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(channel, "channel");
        if (startMillis != level.bucketStart(startMillis)) {
            throw new IllegalArgumentException("bucket start " + startMillis + " is not aligned to a " + level);
        }
        if (count < 0 || observedMillis < 0 || outOfRangeMillis < 0 || outOfRangeMillis > observedMillis) {
            throw new IllegalArgumentException("negative figures, or more time out of range than observed");
        }
    }

    /** The mean value, NaN without readings. */
    public double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }

    /** The two rows of one channel and bucket taken together (as the store merges them). */
    public AggregateRow merge(AggregateRow other) {
        if (other.level != level || !other.channel.equals(channel) || other.startMillis != startMillis) {
            throw new IllegalArgumentException("rows of different buckets");
        }
        return new AggregateRow(level, channel, startMillis, count + other.count, minOf(min, other.min),
                maxOf(max, other.max), sum + other.sum, observedMillis + other.observedMillis,
                outOfRangeMillis + other.outOfRangeMillis);
    }

    /** This minute's figures as part of a coarser bucket. */
    public AggregateRow as(AggregateLevel coarser) {
        return new AggregateRow(coarser, channel, coarser.bucketStart(startMillis), count, min, max, sum,
                observedMillis, outOfRangeMillis);
    }

    private static double minOf(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.min(a, b);
    }

    private static double maxOf(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
    }
}
