package com.oviron.callidus.tools.ingest;

import com.oviron.callidus.store.StoredEvent;
import com.oviron.callidus.store.TelemetryRecord;
import java.util.List;

/**
 * The database the readings go to: the cloud team's store. Keyed by {@code (device, seq)}, so a copy of a
 * reading that another ingest instance (or an earlier run) already wrote is not written again: the database
 * is where duplicates are finally dropped. Implementation: {@code ingest.jdbc} (SQLite, PostgreSQL).
 */
public interface ReadingStore extends AutoCloseable {

    /** A unit's readings, all from one message. */
    record DeviceReadings(String device, List<TelemetryRecord> readings) {
    }

    /** A unit's event. */
    record DeviceEvent(String device, StoredEvent event) {
    }

    /** How many rows a write added and how many were there already. */
    record Written(long readingsInserted, long readingsDuplicate, long eventsInserted, long eventsDuplicate) {
    }

    /** Writes everything in one transaction; all or nothing. */
    Written write(List<DeviceReadings> readings, List<DeviceEvent> events) throws IngestException;

    /** A range of sequence numbers of one unit that is not in the database, below its highest one. */
    record Gap(String device, long fromSeq, long toSeq) {
        public long size() {
            return toSeq - fromSeq + 1;
        }
    }

    /** What the database holds of one unit's telemetry stream. */
    record StreamSummary(String device, long readings, long firstSeq, long lastSeq, long events) {
    }

    /** Every gap, by device and sequence number (a query over the whole table: for reports, not per message). */
    List<Gap> gaps() throws IngestException;

    /** Per unit: readings, first and last sequence number, events. */
    List<StreamSummary> summary() throws IngestException;

    @Override
    void close();
}
