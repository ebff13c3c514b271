package com.oviron.callidus.cloud;

import com.oviron.callidus.store.TelemetryRecord;
import java.util.List;
import java.util.Objects;

/**
 * One telemetry message: consecutive readings of the unit's telemetry stream.
 *
 * @param deviceId     the unit
 * @param stream       the stream's name ("telemetry")
 * @param firstSeq     sequence number of the first reading
 * @param lastSeq      sequence number of the last reading
 * @param sentAtMillis when the agent built the message (first send or resend)
 * @param readings     the readings, in sequence order
 */
public record TelemetryBatch(String deviceId, String stream, long firstSeq, long lastSeq, long sentAtMillis,
                             List<TelemetryRecord> readings) {
    public TelemetryBatch {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(stream, "stream");
        readings = List.copyOf(readings);
        if (readings.isEmpty()) {
            throw new IllegalArgumentException("a batch has at least one reading");
        }
        if (readings.get(0).seq() != firstSeq || readings.get(readings.size() - 1).seq() != lastSeq) {
            throw new IllegalArgumentException("batch bounds " + firstSeq + ".." + lastSeq
                    + " do not match its readings " + readings.get(0).seq() + ".."
                    + readings.get(readings.size() - 1).seq());
        }
        for (int i = 1; i < readings.size(); i++) {
            if (readings.get(i).seq() <= readings.get(i - 1).seq()) {
                throw new IllegalArgumentException("batch readings are not in sequence order at index " + i);
            }
        }
    }

    /** Builds a batch from records read from the outbox. */
    public static TelemetryBatch of(String deviceId, String stream, List<TelemetryRecord> readings, long sentAtMillis) {
        if (readings.isEmpty()) {
            throw new IllegalArgumentException("a batch has at least one reading");
        }
        return new TelemetryBatch(deviceId, stream, readings.get(0).seq(), readings.get(readings.size() - 1).seq(),
                sentAtMillis, readings);
    }
}
