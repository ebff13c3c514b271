package com.oviron.callidus.hal;

import java.time.Instant;
import java.util.Objects;

/**
 * One sample of one channel.
 *
 * @param channelId the {@link Channel#id()} it belongs to
 * @param value     the value in the channel's unit (NaN when {@code quality} says there is none)
 * @param timestamp when it was sampled, by the agent's clock
 * @param quality   how far the value can be trusted
 */
public record Reading(String channelId, double value, Instant timestamp, Quality quality) {
    public Reading {
        Objects.requireNonNull(channelId, "channelId");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(quality, "quality");
        if (quality == Quality.GOOD && !Double.isFinite(value)) {
            throw new IllegalArgumentException("a GOOD reading of " + channelId + " needs a finite value, got " + value);
        }
    }
}
