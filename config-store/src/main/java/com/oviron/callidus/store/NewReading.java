package com.oviron.callidus.store;

import java.util.Objects;

/**
 * A reading handed to the store, before it has a sequence number.
 *
 * @param channelId       the channel's id
 * @param timestampMillis sample time, milliseconds since the Unix epoch (UTC)
 * @param value           the value; NaN when there is none (stored as NULL)
 * @param qualityCode     the HAL's quality code (0 = good; 0..127)
 */
public record NewReading(String channelId, long timestampMillis, double value, int qualityCode) {
    public NewReading {
        Objects.requireNonNull(channelId, "channelId");
        if (channelId.isEmpty()) {
            throw new IllegalArgumentException("channelId must not be empty");
        }
        if (qualityCode < 0 || qualityCode > 127) {
            throw new IllegalArgumentException("qualityCode must be 0..127 (7 bits on the wire), got " + qualityCode);
        }
    }
}
