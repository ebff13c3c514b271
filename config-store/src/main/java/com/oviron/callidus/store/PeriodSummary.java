package com.oviron.callidus.store;

import java.util.Objects;

/**
 * One channel's figures over one bucket of a period report.
 *
 * @param channelId         the channel
 * @param bucketStartMillis start of the bucket (epoch ms, a multiple of the bucket length)
 * @param count             readings with a value in the bucket
 * @param min               smallest value (NaN when count is 0)
 * @param max               largest value (NaN when count is 0)
 * @param mean              average value (NaN when count is 0)
 */
public record PeriodSummary(String channelId, long bucketStartMillis, long count, double min, double max,
                            double mean) {
    public PeriodSummary {
        Objects.requireNonNull(channelId, "channelId");
    }
}
