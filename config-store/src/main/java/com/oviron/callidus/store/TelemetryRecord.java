package com.oviron.callidus.store;

import java.util.Objects;

/**
 * A reading the store has accepted: it carries the telemetry stream's sequence number, which is assigned
 * once, grows by one per reading and is never reused, also across restarts.
 *
 * @param seq             position in the telemetry stream, starting at 1
 * @param channelId       the channel's id
 * @param timestampMillis sample time, milliseconds since the Unix epoch (UTC)
 * @param value           the value; NaN when there is none
 * @param qualityCode     the HAL's quality code (0 = good)
 */
public record TelemetryRecord(long seq, String channelId, long timestampMillis, double value, int qualityCode) {
    public TelemetryRecord {
        Objects.requireNonNull(channelId, "channelId");
        if (seq < 1) {
            throw new IllegalArgumentException("seq starts at 1, got " + seq);
        }
    }
}
