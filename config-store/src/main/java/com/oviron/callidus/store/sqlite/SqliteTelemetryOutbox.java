package com.oviron.callidus.store.sqlite;

import com.oviron.callidus.store.DiskFull;
import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.NewReading;
import com.oviron.callidus.store.PeriodSummary;
import com.oviron.callidus.store.RetentionSettings;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.StoreSpace;
import com.oviron.callidus.store.StoreStats;
import com.oviron.callidus.store.StoredEvent;
import com.oviron.callidus.store.TelemetryOutbox;
import com.oviron.callidus.store.TelemetryRecord;
import com.oviron.callidus.store.log.FailureLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.tinylog.Logger;

/**
 * The telemetry outbox in an SQLite file in WAL mode. One connection, guarded by this object's lock:
 * the sampler's appends and the sync's reads are short, and one connection keeps the sequence logic simple.
 * Every write goes through the {@link SpaceKeeper}, which makes room when the disk is full and keeps the store
 * within what its disk holds ({@link #space()}).
 */
public final class SqliteTelemetryOutbox implements TelemetryOutbox {
    /** Default size of the reserve file kept next to the store (at most an eighth of its file system). */
    public static final long DEFAULT_RESERVE_BYTES = SpaceKeeper.DEFAULT_RESERVE_BYTES;
    private static final String STREAM = "telemetry";
    /** The age rule is checked after this many appends (it reads a window of the oldest readings). */
    private static final int APPENDS_PER_AGE_CHECK = 32;
    /** Room an event, a cursor move or a dead letter needs at most, for the full-disk rescue. */
    private static final long SMALL_WRITE_BYTES = 256 * 1024;
    /** How long after an open without the check the check runs ({@link SoundFileMarker}): after "agent ready". */
    static final Duration DEFERRED_CHECK_DELAY = Duration.ofSeconds(5);

    private final Path file;
    /** What an accepted reading survives; acknowledgements are committed without waiting for the disk. */
    private final Durability durability;
    private final Connection connection;
    private final Transactions tx;
    private final ChannelDictionary channels;
    private final Retention retention;
    private final SpaceKeeper space;
    private final EventStream events;
    private final Clock clock;
    private int appendsSinceAgeCheck;
    /** Inserts one block of readings (made when first needed, closed with the store). */
    private PreparedStatement insertBlock;
    private boolean closed;
    /** The file passed quick_check at this open (or was made new); else {@link #deferredCheck} runs it. */
    private boolean checkedAtOpen;
    private DeferredCheck deferredCheck;
    /** The check after start found damage: no clean-close note, the next start salvages the file. */
    private boolean damageFound;

    private SqliteTelemetryOutbox(Path file, Connection connection, Durability durability, RetentionSettings settings,
                                  long reserveBytes, Clock clock) throws SQLException, IOException {
        this.file = file;
        this.durability = durability;
        this.connection = connection;
        this.clock = clock;
        this.channels = new ChannelDictionary(connection);
        this.tx = new Transactions(connection, () -> {
            try {
                channels.invalidate();
            } catch (SQLException e) {
                Logger.warn("store channel names not reloaded after a rollback error={}", e.getMessage());
            }
        });
        this.events = new EventStream(tx);
        FailureLog log = new FailureLog();
        this.retention = new Retention(tx, settings, clock, log);
        this.space = new SpaceKeeper(this, file, tx, retention, settings, reserveBytes, clock, log,
                tx.queryLong("SELECT coalesce((SELECT value FROM counter WHERE name = 'store_full'), 0)") != 0);
        space.onFullChange(this::recordFullChange);
    }

    /**
     * Opens (creating if needed) the database file, switches it to WAL with the given durability and brings
     * its schema up to date.
     */
    public static SqliteTelemetryOutbox open(Path file, Durability durability) throws StoreException {
        return open(file, durability, RetentionSettings.defaults(), Clock.systemUTC());
    }

    /**
     * Opens (creating if needed) the database file, switches it to WAL with the given durability, brings
     * its schema up to date and applies the retention limits, with a reserve file of the default size.
     */
    public static SqliteTelemetryOutbox open(Path file, Durability durability, RetentionSettings retention,
                                             Clock clock) throws StoreException {
        return open(file, durability, retention, DEFAULT_RESERVE_BYTES, clock);
    }

    /**
     * Opens (creating if needed) the database file, switches it to WAL with the given durability, brings its
     * schema up to date, applies the retention limits and the limit of its disk, and keeps a reserve file of
     * {@code reserveBytes} (at most an eighth of the file system) next to it. A full disk does not keep it from
     * opening: it makes room as it does for any write.
     */
    public static SqliteTelemetryOutbox open(Path file, Durability durability, RetentionSettings retention,
                                             long reserveBytes, Clock clock) throws StoreException {
        return open(file, durability, retention, reserveBytes, clock, DEFERRED_CHECK_DELAY);
    }

    /** As {@link #open(Path, Durability, RetentionSettings, long, Clock)}, with the delay of a deferred check. */
    static SqliteTelemetryOutbox open(Path file, Durability durability, RetentionSettings retention,
                                      long reserveBytes, Clock clock, Duration checkDelay) throws StoreException {
        if (reserveBytes <= 0) {
            throw new IllegalArgumentException("reserveBytes must be positive, got " + reserveBytes);
        }
        try {
            return openOnce(file, durability, retention, reserveBytes, clock, checkDelay);
        } catch (StoreException e) {
            if (!DiskFull.is(e)) {
                throw e;
            }
            // a full disk at the very start: the reserve of the last run makes the room
            Path reserve = SpaceKeeper.reserveFileOf(file);
            boolean released;
            try {
                released = Files.deleteIfExists(reserve);
            } catch (IOException io) {
                released = false;
            }
            if (!released) {
                throw new StoreException("cannot open database " + file + ": the disk is full (" + freeBytes(file)
                        + " bytes free) and no reserve is left to release; free some space in "
                        + file.toAbsolutePath().getParent() + " (" + e.getMessage() + ")", e);
            }
            Logger.warn("store reserve released to open the store on a full disk file={}", reserve);
            return openOnce(file, durability, retention, reserveBytes, clock, checkDelay);
        }
    }

    private static long freeBytes(Path file) {
        try {
            return Files.getFileStore(file.toAbsolutePath().getParent()).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    private static SqliteTelemetryOutbox openOnce(Path file, Durability durability, RetentionSettings retention,
                                                  long reserveBytes, Clock clock, Duration checkDelay)
            throws StoreException {
        boolean fresh;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            fresh = !Files.exists(file) || Files.size(file) == 0;
        } catch (IOException e) {
            throw new StoreException("cannot create the folder of " + file + ": " + e.getMessage(), e);
        }
        // a file closed cleanly after a passing check is checked after start instead of now (SoundFileMarker)
        boolean closedSound = SoundFileMarker.consume(file) && !fresh;
        Optional<CorruptionRecovery.Salvage> salvage = closedSound ? Optional.empty()
                : CorruptionRecovery.checkAndMoveAside(file, clock);
        fresh |= salvage.isPresent();
        Connection connection = null;
        try {
            connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            int version = SchemaMigrations.prepare(connection, file, durability, fresh);
            Logger.info("store opened file={} schema={} durability={} maxBytes={} maxAge={}", file, version,
                    durability, retention.maxBytes(), retention.maxAge());
            SqliteTelemetryOutbox outbox = new SqliteTelemetryOutbox(file, connection, durability, retention, reserveBytes,
                    clock);
            synchronized (outbox) {
                LegacyRows.moveIntoBlocks(outbox.tx, file);
            }
            if (salvage.isPresent()) {
                outbox.restore(salvage.get(), clock);
            }
            synchronized (outbox) {
                outbox.space.atOpen();
                if (closedSound) {
                    Logger.info("store check at open skipped (closed cleanly after a passing check); it runs after"
                            + " start file={} delayMs={}", file, checkDelay.toMillis());
                    outbox.deferredCheck = new DeferredCheck(file, checkDelay, outbox::recordDamage);
                    outbox.deferredCheck.start();
                } else {
                    outbox.checkedAtOpen = true;
                }
            }
            return outbox;
        } catch (SQLException | IOException e) {
            closeQuietly(connection);
            throw new StoreException("cannot open database " + file + ": " + e.getMessage(), e);
        } catch (StoreException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    /** The disk space of the store's folder, for the agent's other writers and the health figures. */
    public StoreSpace space() {
        return space;
    }

    @Override
    public synchronized long append(List<NewReading> readings) throws StoreException {
        ensureOpen();
        if (readings.isEmpty()) {
            return lastSeq();
        }
        try {
            long room = (long) readings.size() * retention.bytesPerReading();
            space.write("append", room, SpaceKeeper.Rescue.DROP_READINGS, () -> tx.run(() -> insert(readings)));
        } catch (SQLException e) {
            throw new StoreException("cannot append " + readings.size() + " readings to " + file + ": "
                    + e.getMessage(), e);
        }
        // the readings are committed, hence accepted: what follows never fails the append
        boolean age = ++appendsSinceAgeCheck >= APPENDS_PER_AGE_CHECK;
        if (age) {
            appendsSinceAgeCheck = 0;
        }
        space.upkeep(age);
        return lastSeq();
    }

    private void restore(CorruptionRecovery.Salvage s, Clock clock) throws SQLException, StoreException {
        long next;
        synchronized (this) {
            next = SalvageLoader.load(tx, channels, s, clock);
        }
        appendEvent(clock.millis(), "store.corrupt", "alarm", "the agent's database was damaged (" + s.problem()
                + "); it was moved to " + s.movedTo().getFileName() + " and " + s.readings().size()
                + " unsent readings were recovered; the telemetry stream continues after sequence number " + next);
    }

    private void insert(List<NewReading> readings) throws SQLException {
        // one transaction, one fsync, for the whole group; one row per block of up to 1024 readings (the JDBC
        // driver's per-value calls, not the disk, bounded the ingest of one row per reading)
        int[] ids = new int[readings.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = channels.idOf(readings.get(i).channelId());
        }
        PreparedStatement insert = insertBlock();
        try {
            ReadingBlocks.insert(connection, insert, readings, ids, tx.queryLong(ReadingBlocks.LAST_SEQ));
        } catch (SQLException e) {
            // the driver may have let go of a statement that failed (a full disk): prepare it anew next time
            insertBlock = null;
            try {
                insert.close();
            } catch (SQLException ignored) {
                // the first error is the one reported
            }
            throw e;
        }
    }

    /** The statement that inserts a block, prepared once per connection. */
    private PreparedStatement insertBlock() throws SQLException {
        if (insertBlock == null || insertBlock.isClosed()) {
            insertBlock = connection.prepareStatement(ReadingBlocks.INSERT);
        }
        return insertBlock;
    }

    @Override
    public synchronized void deadLetter(long firstSeq, long lastSeq, byte[] payload, String reason, long atMillis)
            throws StoreException {
        ensureOpen();
        if (lastSeq < firstSeq || lastSeq > lastSeq()) {
            throw new IllegalArgumentException("no batch " + firstSeq + ".." + lastSeq + " to set aside");
        }
        try {
            space.write("deadLetter", SMALL_WRITE_BYTES + payload.length, SpaceKeeper.Rescue.KEEP_READINGS,
                    () -> tx.run(() -> {
                        insertDeadLetter(atMillis, firstSeq, lastSeq, reason, payload);
                        try (PreparedStatement cursor = connection.prepareStatement("UPDATE stream_cursor"
                                     + " SET acknowledged_seq = max(acknowledged_seq, ?) WHERE stream = 'telemetry'");
                             PreparedStatement delete = connection.prepareStatement(
                                     ReadingBlocks.DELETE_UP_TO)) {
                            cursor.setLong(1, lastSeq);
                            cursor.executeUpdate();
                            delete.setLong(1, lastSeq);
                            delete.setLong(2, lastSeq);
                            delete.executeUpdate();
                        }
                    }));
        } catch (SQLException e) {
            throw new StoreException("cannot set aside readings " + firstSeq + ".." + lastSeq + " in " + file + ": "
                    + e.getMessage(), e);
        }
        Logger.error("telemetry batch set aside first={} last={} reason={}", firstSeq, lastSeq, reason);
        appendEvent(atMillis, "telemetry.dead_letter", "alarm", "readings " + firstSeq + ".." + lastSeq
                + " were set aside in the dead-letter table: " + reason);
    }

    /** A row of the dead-letter table (inside the caller's transaction). */
    private void insertDeadLetter(long atMillis, long firstSeq, long lastSeq, String reason, byte[] payload)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO dead_letter(ts, stream, first_seq,"
                + " last_seq, reason, payload) VALUES (?, 'telemetry', ?, ?, ?, ?)")) {
            insert.setLong(1, atMillis);
            insert.setLong(2, firstSeq);
            insert.setLong(3, lastSeq);
            insert.setString(4, reason);
            insert.setBytes(5, payload);
            insert.executeUpdate();
        }
    }

    @Override
    public synchronized long deadLetterCount() throws StoreException {
        ensureOpen();
        return queryLong("SELECT count(*) FROM dead_letter");
    }

    @Override
    public synchronized long appendEvent(long atMillis, String kind, String severity, String message,
                                         Optional<String> detail) throws StoreException {
        ensureOpen();
        new StoredEvent(1, atMillis, kind, severity, message, detail); // validates before anything is written
        try {
            // an alarm must get through a full store: readings make room, events are never dropped
            space.write("event", SMALL_WRITE_BYTES, SpaceKeeper.Rescue.DROP_READINGS,
                    () -> tx.run(() -> events.insert(atMillis, kind, severity, message, detail)));
            return events.lastSeq();
        } catch (SQLException e) {
            throw new StoreException("cannot store event " + kind + " in " + file + ": " + e.getMessage(), e);
        }
    }

    /** The space keeper's alarm and its state, in one transaction (called under this object's lock). */
    private void recordFullChange(boolean full, String kind, String severity, String message) throws SQLException {
        long at = clock.millis();
        tx.run(() -> {
            events.insert(at, kind, severity, message, Optional.empty());
            tx.execute("INSERT INTO counter(name, value) VALUES ('store_full', " + (full ? 1 : 0) + ")"
                    + " ON CONFLICT(name) DO UPDATE SET value = excluded.value");
        });
    }

    @Override
    public synchronized List<StoredEvent> pendingEvents(int limit) throws StoreException {
        ensureOpen();
        try {
            return events.pending(limit);
        } catch (SQLException e) {
            throw new StoreException("cannot read events from " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void acknowledgeEvents(long seq) throws StoreException {
        ensureOpen();
        try {
            space.write("acknowledgeEvents", SMALL_WRITE_BYTES, SpaceKeeper.Rescue.KEEP_READINGS,
                    () -> tx.run(() -> events.acknowledge(seq)));
        } catch (SQLException e) {
            throw new StoreException("cannot acknowledge events up to " + seq + " in " + file + ": "
                    + e.getMessage(), e);
        }
    }

    /** Applies the retention limits (age, size and the disk's) now; also done after every write and at open. */
    public synchronized void enforceRetention() throws StoreException {
        ensureOpen();
        space.upkeep(true);
    }

    @Override
    public synchronized List<PeriodSummary> summarize(long fromMillis, long toMillis, long bucketMillis)
            throws StoreException {
        ensureOpen();
        try {
            return PeriodSummaries.query(connection, fromMillis, toMillis, bucketMillis);
        } catch (SQLException e) {
            throw new StoreException("cannot summarize " + fromMillis + ".." + toMillis + " from " + file + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public synchronized StoreStats stats() throws StoreException {
        ensureOpen();
        try {
            return new StoreStats(retention.usedBytes(),
                    queryLong("SELECT value FROM counter WHERE name = 'dropped_readings'"),
                    queryLong("SELECT count(*) FROM minute_aggregate"));
        } catch (SQLException e) {
            throw new StoreException("cannot read the figures of " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized List<TelemetryRecord> readAfter(long afterSeq, int limit) throws StoreException {
        ensureOpen();
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        try (PreparedStatement q = connection.prepareStatement(ReadingBlocks.FROM_SEQ)) {
            // a block acknowledged in part still holds its acknowledged head: never give that out again
            long after = Math.max(afterSeq, tx.queryLong("SELECT acknowledged_seq FROM stream_cursor WHERE stream = '"
                    + STREAM + "'"));
            q.setLong(1, after);
            List<TelemetryRecord> out = new ArrayList<>(Math.min(limit, 4 * ReadingBlock.MAX_READINGS));
            List<DamagedBlock> damaged = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (out.size() < limit && rs.next()) {
                    ReadingBlock block;
                    try {
                        block = ReadingBlock.decode(rs.getLong(1), rs.getBytes(3));
                    } catch (ReadingBlock.DamagedBlockException e) {
                        damaged.add(new DamagedBlock(rs.getLong(1), rs.getLong(2), rs.getBytes(3), e.getMessage()));
                        continue;
                    }
                    for (int i = 0; i < block.size() && out.size() < limit; i++) {
                        if (block.seq(i) > after) {
                            out.add(new TelemetryRecord(block.seq(i), channels.nameOf(block.channelId(i)),
                                    block.timestamp(i), block.value(i), block.quality(i)));
                        }
                    }
                }
            }
            for (DamagedBlock d : damaged) {
                setAside(d);
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("cannot read telemetry after seq " + afterSeq + " from " + file + ": "
                    + e.getMessage(), e);
        }
    }

    /** A block of readings that does not decode, found while reading. */
    private record DamagedBlock(long firstSeq, long lastSeq, byte[] data, String problem) {
    }

    /**
     * Sets a block that does not decode aside in the dead-letter table (its bytes kept for a look by hand) and
     * raises {@code store.corrupt}: the stream goes on after it instead of stopping at it, and the cloud sees
     * the gap of its sequence numbers.
     */
    private void setAside(DamagedBlock d) throws SQLException, StoreException {
        long at = clock.millis();
        space.write("setAside", SMALL_WRITE_BYTES + d.data().length, SpaceKeeper.Rescue.KEEP_READINGS,
                () -> tx.run(() -> {
                    insertDeadLetter(at, d.firstSeq(), d.lastSeq(), d.problem(), d.data());
                    tx.execute("DELETE FROM reading_block WHERE first_seq = " + d.firstSeq());
                }));
        Logger.error("store block of readings damaged, set aside first={} last={} problem={}", d.firstSeq(),
                d.lastSeq(), d.problem());
        appendEvent(at, "store.corrupt", "alarm", "readings " + d.firstSeq() + ".." + d.lastSeq() + " could not be"
                + " read back (" + d.problem() + "); they were set aside in the dead-letter table and the telemetry"
                + " stream goes on after them");
    }

    /**
     * Moves the cursor and removes the blocks whose readings are all acknowledged (their per-minute history
     * stays for period reports; a block acknowledged in part stays whole until the rest is), in steps that fit
     * the WAL allowance: on a full disk a step must fit in the room the store keeps. A step never drops readings
     * to make room: the oldest readings are the ones acknowledged.
     */
    @Override
    public synchronized void acknowledge(long seq) throws StoreException {
        ensureOpen();
        long last = lastSeq();
        if (seq > last) {
            throw new IllegalArgumentException("cannot acknowledge seq " + seq + ": the last accepted is " + last);
        }
        long acked = acknowledgedSeq();
        if (seq <= acked) {
            return;
        }
        try {
            // an acknowledgement lost to a power cut costs a resend the cloud drops as a copy, not a reading: its
            // commit does not wait for the disk (the next append's fsync takes its WAL frames down with it)
            relaxSync();
            long step = Math.max(Retention.MIN_DROP, space.walAllowance() / 2 / retention.bytesPerReading());
            for (long upTo = Math.min(seq, acked + step); ; upTo = Math.min(seq, upTo + step)) {
                long to = upTo;
                space.write("acknowledge", SMALL_WRITE_BYTES, SpaceKeeper.Rescue.KEEP_READINGS, () -> tx.run(() -> {
                    ReadingBlocks.foldIntoMinuteAggregates(connection, ReadingBlocks.upTo(to));
                    tx.execute("UPDATE stream_cursor SET acknowledged_seq = " + to + " WHERE stream = '" + STREAM
                            + "'");
                    tx.execute("DELETE FROM reading_block WHERE " + ReadingBlocks.upTo(to));
                }));
                if (to == seq) {
                    break;
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot acknowledge seq " + seq + " in " + file + ": " + e.getMessage(), e);
        } finally {
            restoreSync();
        }
        space.upkeep(false);
    }

    private void relaxSync() throws SQLException {
        if (durability == Durability.FULL) {
            tx.execute("PRAGMA synchronous = NORMAL");
        }
    }

    /** Back to the store's durability; a failure here would leave appends less durable than configured. */
    private void restoreSync() throws StoreException {
        if (durability == Durability.FULL) {
            try {
                tx.execute("PRAGMA synchronous = " + durability.name());
            } catch (SQLException e) {
                throw new StoreException("cannot set durability " + durability + " again on " + file + ": "
                        + e.getMessage(), e);
            }
        }
    }

    /** SQLite's {@code synchronous} setting now (2 = FULL, 1 = NORMAL), for tests. */
    synchronized long synchronousSetting() throws SQLException {
        return tx.pragma("synchronous");
    }

    @Override
    public synchronized long acknowledgedSeq() throws StoreException {
        ensureOpen();
        return queryLong("SELECT acknowledged_seq FROM stream_cursor WHERE stream = '" + STREAM + "'");
    }

    @Override
    public synchronized long lastSeq() throws StoreException {
        ensureOpen();
        // the counter keeps the highest seq ever given, also after the blocks are deleted
        return queryLong(ReadingBlocks.LAST_SEQ);
    }

    private long queryLong(String sql) throws StoreException {
        try {
            return tx.queryLong(sql);
        } catch (SQLException e) {
            throw new StoreException("cannot query " + file + ": " + e.getMessage(), e);
        }
    }

    /** Runs SQLite's quick check (seconds, not minutes, on a large file); "ok" when the file is sound. */
    public synchronized String quickCheck() throws StoreException {
        ensureOpen();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("PRAGMA quick_check")) {
            StringBuilder sb = new StringBuilder();
            while (rs.next()) {
                sb.append(sb.length() == 0 ? "" : "; ").append(rs.getString(1));
            }
            return sb.toString();
        } catch (SQLException e) {
            throw new StoreException("cannot check " + file + ": " + e.getMessage(), e);
        }
    }

    /** Runs SQLite's full integrity check; "ok" when the file is sound. */
    public synchronized String integrityCheck() throws StoreException {
        ensureOpen();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
            StringBuilder sb = new StringBuilder();
            while (rs.next()) {
                if (sb.length() > 0) {
                    sb.append("; ");
                }
                sb.append(rs.getString(1));
            }
            return sb.toString();
        } catch (SQLException e) {
            throw new StoreException("cannot check " + file + ": " + e.getMessage(), e);
        }
    }

    private void ensureOpen() throws StoreException {
        if (closed) {
            throw new StoreException("store " + file + " is closed");
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already failing: the first error is the one reported
            }
        }
    }

    /** The check after start found damage (on its thread): an alarm now, the salvage at the next start. */
    private synchronized void recordDamage(String problem) {
        damageFound = true;
        if (closed) {
            return;
        }
        try {
            appendEvent(clock.millis(), "store.corrupt", "alarm", "the agent's database failed its check after"
                    + " start (" + problem + "); the agent goes on with it, and the next start moves it aside and"
                    + " recovers the unsent readings");
        } catch (StoreException e) {
            Logger.warn("store damage alarm not recorded error={}", e.getMessage());
        }
    }

    /** What the check the open skipped has found; empty when the file was checked at open. */
    Optional<DeferredCheck.State> deferredCheckState() {
        DeferredCheck d;
        synchronized (this) {
            d = deferredCheck;
        }
        return d == null ? Optional.empty() : Optional.of(d.state());
    }

    /**
     * Closes the store. A store whose file passed its check during this run and closes without error leaves a
     * note that lets the next open skip the check ({@link SoundFileMarker}).
     */
    @Override
    public void close() {
        DeferredCheck check;
        synchronized (this) {
            if (closed) {
                return;
            }
            check = deferredCheck;
        }
        if (check != null) {
            check.stop(); // outside the lock: a check that found damage takes the lock to raise its alarm
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            space.close();
            try {
                if (insertBlock != null) {
                    insertBlock.close();
                }
                connection.close();
                Logger.info("store closed file={}", file);
            } catch (SQLException e) {
                Logger.warn("store close failed file={} error={}", file, e.getMessage());
                return;
            }
            boolean sound = checkedAtOpen || (check != null && check.state() == DeferredCheck.State.PASSED);
            if (sound && !damageFound) {
                SoundFileMarker.write(file);
            }
        }
    }
}
