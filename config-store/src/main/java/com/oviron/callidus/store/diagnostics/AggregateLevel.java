package com.oviron.callidus.store.diagnostics;

/** The time buckets aggregates are kept in: UTC minutes, hours and days. */
public enum AggregateLevel {
    MINUTE(60_000L), HOUR(3_600_000L), DAY(86_400_000L);

    private final long millis;

    AggregateLevel(long millis) {
        this.millis = millis;
    }

    /** The bucket's length. */
    public long millis() {
        return millis;
    }

    /** The start of the bucket that holds {@code epochMillis}. */
    public long bucketStart(long epochMillis) {
        return Math.floorDiv(epochMillis, millis) * millis;
    }
}
