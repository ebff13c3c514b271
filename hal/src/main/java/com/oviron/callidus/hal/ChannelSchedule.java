package com.oviron.callidus.hal;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.tinylog.Logger;

/**
 * When each channel is read and which of its readings are reported: the per-channel sample period and
 * deadband of the register map (docs/hardware.md). Shared by the Modbus board, which reads only the channels
 * that are due, and {@link ScheduledSensorPort}, which gives the simulated board the same schedule so that it
 * sends what a unit sends.
 *
 * <p>A channel is due on the first sample at or after its period has passed since it was last read (less
 * {@link #DUE_TOLERANCE_MILLIS} for timing jitter). A {@code GOOD} reading is left out when the channel's last
 * reported reading was also {@code GOOD} and the value moved by no more than the deadband; readings of any
 * other quality, every change of quality and the first reading after a failed sample are always reported.
 * A channel without a timing is due on every
 * sample and has no deadband. Not thread-safe, like a {@link SensorPort}.
 */
public final class ChannelSchedule {
    /** How early a channel may be read, for the jitter of the sampling tick. */
    public static final long DUE_TOLERANCE_MILLIS = 5;

    /**
     * @param channelId the channel
     * @param period    how often it is read (zero: every sample)
     * @param deadband  a GOOD value is reported only when it moved by more than this from the last reported
     *                  one (0: every reading)
     */
    public record Timing(String channelId, Duration period, double deadband) {
        public Timing {
            Objects.requireNonNull(channelId, "channelId");
            Objects.requireNonNull(period, "period");
            if (period.isNegative() || !(deadband >= 0)) {
                throw new IllegalArgumentException("channel " + channelId + ": period and deadband must not be negative");
            }
        }
    }

    private final Map<String, Timing> timings = new HashMap<>();
    private final Map<String, Instant> nextDue = new HashMap<>();
    private final Map<String, Reading> lastReported = new HashMap<>();
    private Instant lastSample;

    public ChannelSchedule(List<Timing> timings) {
        for (Timing t : timings) {
            if (this.timings.put(t.channelId(), t) != null) {
                throw new IllegalArgumentException("channel " + t.channelId() + " is timed twice");
            }
        }
    }

    /**
     * Starts a sample at {@code now}. When the wall clock stepped back (NTP on a controller without RTC), due
     * times from the old time would stall the channels until the clock caught up, so the schedule starts again.
     */
    public void begin(Instant now) {
        if (lastSample != null && now.isBefore(lastSample)) {
            Logger.warn("clock stepped back, channel schedule restarted from={} to={}", lastSample, now);
            nextDue.clear();
        }
        lastSample = now;
    }

    /** Whether the channel is read in the sample begun at {@code now}; if so, its next due time is set. */
    public boolean due(String channelId, Instant now) {
        Timing t = timings.get(channelId);
        if (t == null || t.period().isZero()) {
            return true;
        }
        Instant next = nextDue.get(channelId);
        if (next != null && now.isBefore(next)) {
            return false;
        }
        nextDue.put(channelId, now.plus(t.period()).minusMillis(DUE_TOLERANCE_MILLIS));
        return true;
    }

    /**
     * A whole sample failed (the device is gone): nothing is known of the channels meanwhile, so the first
     * reading of each channel after it is reported whatever its deadband, and the cloud sees that the values
     * are being read again.
     */
    public void sampleFailed() {
        lastReported.clear();
    }

    /** Whether the reading of a due channel is reported (not within its deadband); if so, it is remembered. */
    public boolean report(Reading r) {
        Timing t = timings.get(r.channelId());
        Reading before = lastReported.get(r.channelId());
        boolean withinDeadband = t != null && t.deadband() > 0 && before != null
                && before.quality() == Quality.GOOD && r.quality() == Quality.GOOD
                && Math.abs(r.value() - before.value()) <= t.deadband();
        if (withinDeadband) {
            return false;
        }
        if (before != null && before.quality() != r.quality()) {
            Logger.info("channel quality changed channel={} from={} to={}", r.channelId(), before.quality(),
                    r.quality());
        }
        lastReported.put(r.channelId(), r);
        return true;
    }
}
