package com.oviron.callidus.store.sqlite;

import com.oviron.callidus.store.DiskFull;
import com.oviron.callidus.store.RetentionSettings;
import com.oviron.callidus.store.SpaceStatus;
import com.oviron.callidus.store.StoreSpace;
import com.oviron.callidus.store.log.FailureLog;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;
import org.tinylog.Logger;

/**
 * Keeps the store within what its disk holds, so that a full disk never stops it (ADR 0016):
 * <ul>
 *   <li><b>Limit from the disk.</b> The store may take the configured size, or less: its files plus the free
 *       space, minus a WAL allowance, a headroom left free for the agent's other files, and the reserve when it
 *       is not in place. Retention keeps it below that, so the store's own growth never fills the disk; only
 *       other writers can. When another writer leaves little, the per-minute history and the dead letters go
 *       before the readings of the last minutes (a floor, {@link #MIN_FLOOR_BYTES}).</li>
 *   <li><b>A small WAL.</b> {@code journal_size_limit} and {@code wal_autocheckpoint} keep the WAL within the
 *       allowance; deletions run in steps that fit it. Checkpoints never truncate: the WAL's room lets the
 *       store delete on a disk with no byte free.</li>
 *   <li><b>A page cap</b> ({@link #capPages}): the file grows by at most the reserve between two writes, so no
 *       commit leaves pages in the WAL that the disk cannot take.</li>
 *   <li><b>A reserve file</b> ({@link ReserveFile}). A write that meets a full disk anyway releases it and
 *       tries again; the limit then drops by its size, retention and {@code incremental_vacuum} give the room
 *       back to the file system, and the reserve is written again.</li>
 *   <li><b>An alarm.</b> {@code store.full} when the store met the disk (a write failed for room, the reserve
 *       is gone, or retention dropped readings for the disk), once; {@code store.full_cleared} when the reserve
 *       is back and the readings take at most half of what the disk allows, a minute at the earliest.</li>
 * </ul>
 * Runs under the outbox's lock ({@code lock}); {@link #makeRoom} and {@link #status} take it.
 */
final class SpaceKeeper implements StoreSpace {
    /** Default size of the reserve file (at most an eighth of the file system). */
    static final long DEFAULT_RESERVE_BYTES = 16L * 1024 * 1024;
    static final long MIN_WAL_ALLOWANCE = 256L * 1024;
    static final long MAX_WAL_ALLOWANCE = 4L * 1024 * 1024;
    /**
     * Readings the disk rule keeps at least (four WAL allowances, at least 1 MiB, at most half the configured
     * size): another writer that takes the disk gets the history and the dead letters first, and the readings of
     * the last minutes stay to be sent. Only a write that meets a full disk drops below it.
     */
    static final long MIN_FLOOR_BYTES = 1024 * 1024;
    /** Tries of one write that meets a full disk: the first, then after each of three rescues. */
    static final int MAX_TRIES = 4;
    private static final long MIN_STEP_BYTES = 64L * 1024;

    /** What a rescue may do for a write that met a full disk. */
    enum Rescue {
        /** Release the reserve, checkpoint, and drop the oldest readings (counted) if that is not enough. */
        DROP_READINGS,
        /** Never drop readings (acknowledgements, dead letters: the oldest readings are theirs). */
        KEEP_READINGS
    }

    /** Records a {@code store.full} or {@code store.full_cleared} event and the state, in one transaction. */
    @FunctionalInterface
    interface FullEvents {
        void record(boolean full, String kind, String severity, String message) throws SQLException;
    }

    /** The space figures at one moment. */
    record Budget(long fsFree, long fsTotal, long dbBytes, long walBytes, long usedBytes, long freelistPages,
                  boolean reserveHeld, long diskLimit, long limit) {
    }

    private final Object lock;
    private final Path dbFile;
    private final Path walFile;
    private final FileStore fileStore;
    private final Transactions tx;
    private final Retention retention;
    private final RetentionSettings settings;
    private final ReserveFile reserve;
    private final long walAllowance;
    private final long headroom;
    private final long floorBytes;
    private final long pageSize;
    private final FailureLog log;
    private FullEvents events = (full, kind, severity, message) -> { };
    private final FileShrinker shrinker;
    private final FullAlarm alarm;
    private boolean metFullDisk;
    private boolean droppedForDisk;
    private boolean closed;
    private boolean reserveWritten;
    /** The WAL file's size after the last checkpoint {@link #checkpointIfLarge()} ran. */
    private long walBytesAfterCheckpoint;
    /** The page cap set last ({@code PRAGMA max_page_count}). */
    private long pageCap;
    private SpaceStatus lastStatus;

    SpaceKeeper(Object lock, Path dbFile, Transactions tx, Retention retention, RetentionSettings settings,
                long reserveBytes, Clock clock, FailureLog log, boolean full) throws IOException, SQLException {
        this.lock = lock;
        this.dbFile = dbFile;
        this.walFile = dbFile.resolveSibling(dbFile.getFileName() + "-wal");
        this.fileStore = Files.getFileStore(dbFile.toAbsolutePath().getParent());
        this.tx = tx;
        this.retention = retention;
        this.settings = settings;
        this.log = log;
        this.alarm = new FullAlarm(full, clock);
        this.pageSize = retention.pageSize();
        long total = fileStore.getTotalSpace();
        this.reserve = new ReserveFile(reserveFileOf(dbFile), Math.max(pageSize, Math.min(reserveBytes, total / 8)));
        this.walAllowance = Math.max(MIN_WAL_ALLOWANCE, Math.min(MAX_WAL_ALLOWANCE,
                Math.min(settings.maxBytes(), total) / 32));
        this.headroom = walAllowance;
        this.floorBytes = Math.min(settings.maxBytes() / 2, Math.max(MIN_FLOOR_BYTES, 4 * walAllowance));
        this.shrinker = new FileShrinker(tx, pageSize, () -> stepBytes(freeQuietly()), log);
        // the WAL stays within its allowance: checkpoints at half of it, and a reset WAL is cut back to it
        tx.execute("PRAGMA journal_size_limit = " + walAllowance);
        tx.execute("PRAGMA wal_autocheckpoint = " + Math.max(16, walAllowance / 2 / pageSize));
        this.lastStatus = new SpaceStatus(0, total, reserve.bytes(), false, settings.maxBytes(), full);
    }

    /** The reserve file of a store file: {@code <file>.reserve} next to it. */
    static Path reserveFileOf(Path dbFile) {
        return dbFile.resolveSibling(dbFile.getFileName() + ".reserve");
    }

    void onFullChange(FullEvents events) {
        this.events = events;
    }

    long walAllowance() {
        return walAllowance;
    }

    long headroom() {
        return headroom;
    }

    ReserveFile reserve() {
        return reserve;
    }

    /**
     * Runs a write (a whole transaction); when the disk (or the store's ceiling) is full, makes room by the
     * {@code rescue} rule and runs it again, {@value #MAX_TRIES} tries in all.
     *
     * @param roomBytes about how many bytes the write needs
     */
    void write(String what, long roomBytes, Rescue rescue, Transactions.SqlWork work) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                work.run();
                return;
            } catch (SQLException e) {
                if (!DiskFull.is(e) || attempt >= MAX_TRIES) {
                    throw e;
                }
                rescue(what, attempt, roomBytes, rescue, e);
            }
        }
    }

    private void rescue(String what, int attempt, long roomBytes, Rescue rule, SQLException error) {
        if (pageCap < retention.maxPageCount() && raiseCapIfRoom()) {
            log.info("cap." + what, "store has room on its disk again, page cap raised, tries again what={}"
                    + " attempt={} pageCap={} freeBytes={}", what, attempt, pageCap, freeQuietly());
            return;
        }
        String action;
        long free = freeQuietly();
        // SQLITE_FULL with room on the disk comes from the store's own ceiling (125 % of maxBytes): the size rule
        boolean ceiling = pageCap >= retention.maxPageCount()
                && free >= 2 * roomBytes + walAllowance + headroom + reserve.bytes();
        try {
            if (!ceiling) {
                metFullDisk = true;
            }
            if (!ceiling && attempt == 1 && releaseReserve(what)) {
                action = "reserve released";
            } else if (rule == Rescue.DROP_READINGS) {
                long perReading = retention.bytesPerReading();
                long count = Math.max(Retention.MIN_DROP, 2L * attempt * Math.max(roomBytes, pageSize) / perReading);
                long dropped = retention.dropOldestInSteps(count, stepBytes(free) / perReading,
                        attempt < MAX_TRIES - 1, ceiling ? Retention.Reason.SIZE : Retention.Reason.FULL,
                        this::checkpointIfLarge);
                action = "dropped " + dropped + " oldest readings";
            } else {
                action = "checkpoint";
            }
            if (!ceiling) {
                // what was freed serves the write that is tried again: it is not given back to the disk here
                checkpointQuietly();
                capPages();
            }
        } catch (SQLException | RuntimeException e) {
            action = "making room failed: " + e.getMessage();
        }
        log.warn((ceiling ? "ceiling." : "full.") + what, "store " + (ceiling ? "at its size ceiling" : "met a full disk")
                + ", made room and tries again what={} attempt={} action={} freeBytes={} error={}", what, attempt,
                action, freeQuietly(), error.getMessage());
    }

    /**
     * After every write: keeps the readings within the limit, the WAL small, the reserve in place and the
     * alarm up to date. A failure is logged (once per interval), never thrown: the write itself is done.
     *
     * @param checkAge also apply the age rule (it reads a window of the oldest readings: now and then)
     */
    void upkeep(boolean checkAge) {
        try {
            landGrowth(false);
            if (checkAge) {
                write("retention", 0, Rescue.KEEP_READINGS, () -> {
                    retention.enforceAge();
                    retention.pruneAggregates();
                });
            }
            Budget b = budget();
            if (b.usedBytes() > b.limit()) {
                Retention.Reason reason = b.diskLimit() < settings.maxBytes() ? Retention.Reason.DISK
                        : Retention.Reason.SIZE;
                long[] dropped = {0};
                Budget before = b;
                write("retention", 0, Rescue.KEEP_READINGS, () -> dropped[0] += retention.enforceSize(before.limit(),
                        before.limit() - before.limit() / 10, floorBytes, stepBytes(before.fsFree()), reason,
                        this::checkpointIfLarge));
                droppedForDisk |= reason == Retention.Reason.DISK && dropped[0] > 0;
                b = budget();
            }
            checkpointIfLarge();
            landGrowth(false);
            b = keepReserveAndHeadroom(b);
            capPages();
            updateFull(b);
            log.cleared("upkeep", "store upkeep works again");
        } catch (SQLException | IOException | RuntimeException e) {
            log.error("upkeep", "store upkeep failed (retention, reserve or WAL) error={}", e.getMessage());
        }
    }

    /** The figures now, from the file system and the database. */
    Budget budget() throws SQLException, IOException {
        long free = fileStore.getUsableSpace();
        long total = fileStore.getTotalSpace();
        long pages = tx.pragma("page_count");
        long freelist = tx.pragma("freelist_count");
        long wal = walBytes();
        boolean held = reserve.held();
        long diskLimit = pages * pageSize + wal + free - walAllowance - headroom - (held ? 0 : reserve.bytes());
        long limit = Math.max(0, Math.min(settings.maxBytes(), diskLimit));
        Budget b = new Budget(free, total, pages * pageSize, wal, (pages - freelist) * pageSize, freelist, held,
                diskLimit, limit);
        lastStatus = new SpaceStatus(free, total, reserve.bytes(), held, limit, alarm.full());
        return b;
    }

    private long walBytes() throws IOException {
        try {
            return Files.size(walFile);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    private long freeQuietly() {
        try {
            return fileStore.getUsableSpace();
        } catch (IOException e) {
            return 0;
        }
    }

    /** A deletion step's size: it is written to the WAL first, so it must fit the WAL allowance and the disk. */
    private long stepBytes(long fsFree) {
        return Math.max(MIN_STEP_BYTES, Math.min(walAllowance / 2, fsFree / 2));
    }

    /**
     * When the last writes grew the database beyond its file (the new pages are only in the WAL) and the disk is
     * short, checkpoints at once, so that the file takes its room while the disk has it; a checkpoint that finds
     * the disk full gets the reserve (the page cap never lets the database grow by more than the reserve). Pages
     * the file cannot take would keep the WAL from ever starting over. With plenty of room the regular
     * checkpoint (at half the WAL allowance) does it.
     *
     * @param always also with plenty of room (before the reserve takes the room)
     * @return whether the file holds every page now (or there is plenty of room for them)
     */
    private boolean landGrowth(boolean always) {
        try {
            long beyond = tx.pragma("page_count") * pageSize - Files.size(dbFile);
            if (beyond <= 0) {
                return true;
            }
            if (!always && fileStore.getUsableSpace() - beyond >= reserve.bytes() + headroom) {
                return true;
            }
        } catch (SQLException | IOException e) {
            log.warn("land", "store file size not read error={}", e.getMessage());
            return false;
        }
        return checkpointOrRelease();
    }

    /** A checkpoint; when the disk is too full for it, with the reserve released. Whether it was complete. */
    private boolean checkpointOrRelease() {
        try {
            return tx.checkpoint(false);
        } catch (SQLException e) {
            if (!DiskFull.is(e) || !releaseReserve("checkpoint")) {
                log.warn("checkpoint", "store checkpoint failed error={}", e.getMessage());
                return false;
            }
            metFullDisk = true;
            try {
                return tx.checkpoint(false);
            } catch (SQLException again) {
                log.warn("checkpoint", "store checkpoint failed error={}", again.getMessage());
                return false;
            }
        }
    }

    /**
     * A checkpoint when the WAL file has grown past half its allowance since the last one this ran. SQLite's own
     * checkpoint (wal_autocheckpoint, at the same half) keeps a steady stream of small commits there; a WAL that
     * was checkpointed starts over from its beginning and keeps its file size, so the size alone would ask for a
     * checkpoint after every write (each one writing pages into the database and forcing it: 40 % of the ingest
     * time). What grows the file anyway (a large deletion step, a checkpoint that could not finish) gets one here.
     */
    private void checkpointIfLarge() throws SQLException {
        try {
            long wal = walBytes();
            if (wal > walAllowance / 2 && wal > walBytesAfterCheckpoint) {
                tx.checkpoint(false);
                walBytesAfterCheckpoint = walBytes();
            } else if (wal < walBytesAfterCheckpoint) {
                walBytesAfterCheckpoint = wal; // cut back (journal_size_limit) or gone
            }
        } catch (IOException e) {
            throw new SQLException("cannot read the size of " + walFile + ": " + e.getMessage(), e);
        }
    }

    private void updateFull(Budget b) throws SQLException {
        boolean pressure = metFullDisk || droppedForDisk;
        metFullDisk = false;
        droppedForDisk = false;
        Optional<FullAlarm.Change> change = alarm.decide(b, pressure, settings.maxBytes(), headroom);
        if (change.isPresent()) {
            FullAlarm.Change c = change.get();
            write("alarm", 4096, c.full() ? Rescue.DROP_READINGS : Rescue.KEEP_READINGS,
                    () -> events.record(c.full(), c.kind(), c.severity(), c.message()));
            alarm.changed(c);
            if (c.full()) {
                Logger.error("store full alarm raised freeBytes={} totalBytes={} reserveHeld={} limitBytes={}",
                        b.fsFree(), b.fsTotal(), b.reserveHeld(), b.limit());
            } else {
                Logger.info("store full alarm cleared freeBytes={} usedBytes={} limitBytes={}", b.fsFree(),
                        b.usedBytes(), b.limit());
            }
        }
        lastStatus = new SpaceStatus(b.fsFree(), b.fsTotal(), reserve.bytes(), b.reserveHeld(), b.limit(),
                alarm.full());
    }

    /**
     * Caps the pages the database may have ({@code PRAGMA max_page_count}): its file may grow by what the disk
     * has now (keeping the WAL allowance free), but never by more than the reserve, and not at all while the
     * reserve is released; and never beyond the hard ceiling. A write that would grow the file further fails
     * before its commit, and a rescue makes room inside the file. Without the cap, a commit could put pages in
     * the WAL that no checkpoint can write back once another program took the disk; the WAL could then never
     * start over, and every later write, deletions too, would fail. The reserve covers what the cap lets grow.
     */
    private void capPages() {
        try {
            long filePages = Files.size(dbFile) / pageSize;
            long room = reserve.held() ? Math.min(reserve.bytes(), fileStore.getUsableSpace() - walAllowance) : 0;
            long growth = Math.max(0, room) / pageSize;
            long cap = Math.min(retention.maxPageCount(), filePages + growth);
            if (cap != pageCap) {
                tx.execute("PRAGMA max_page_count = " + cap);
                pageCap = tx.pragma("max_page_count"); // never below the pages the database has
            }
        } catch (SQLException | IOException e) {
            log.warn("cap", "store page cap not set error={}", e.getMessage());
        }
    }

    /**
     * A checkpoint that lets the next write start the WAL from its beginning. Never a truncating one: the WAL's
     * room is what lets the store delete and write on a disk with no byte free.
     */
    private void checkpointQuietly() {
        checkpointOrRelease();
    }

    /**
     * The reserve back in place once the readings gave room for it, and the headroom free for the agent's other
     * files; both by giving pages the readings no longer use back to the file system.
     */
    private Budget keepReserveAndHeadroom(Budget b) throws SQLException, IOException {
        long wanted = (b.reserveHeld() ? 0 : reserve.bytes()) + headroom;
        if (b.fsFree() < wanted && b.freelistPages() > 0) {
            shrinker.shrink(wanted - b.fsFree());
            b = budget();
        }
        return restoreReserve(b);
    }

    /**
     * A write failed at the page cap: when the disk has room again (another writer went away, or the readings
     * were acknowledged meanwhile), the reserve is written again and the cap follows the disk as it is now, so
     * that the write goes through without dropping a reading. Without this, a store whose reserve is released
     * and whose readings are all acknowledged could never grow again: the cap allows no growth while the
     * reserve is released, and the reserve comes back only after a write that succeeded. Also on a disk with
     * room, a write larger than the growth the cap allowed gets it here, not by dropping readings.
     *
     * @return whether the cap was raised
     */
    private boolean raiseCapIfRoom() {
        long before = pageCap;
        try {
            landGrowth(true); // the file takes the pages the WAL holds beyond it: the cap counts from the file
            restoreReserve(budget());
        } catch (SQLException | IOException | RuntimeException e) {
            log.warn("cap", "store space figures not read error={}", e.getMessage());
        }
        capPages();
        return pageCap > before;
    }

    /** The reserve written again when it is released and the disk has room for it and the headroom. */
    private Budget restoreReserve(Budget b) throws SQLException, IOException {
        if (!b.reserveHeld() && b.fsFree() >= reserve.bytes() + headroom && landGrowth(true)) {
            try {
                reserve.create();
                log.cleared("reserve", "store reserve written again after failures file={}", reserve.path());
                if (reserveWritten) {
                    log.info("reserve.restored", "store reserve in place again file={} bytes={} freeBytes={}",
                            reserve.path(), reserve.bytes(), b.fsFree() - reserve.bytes());
                } else {
                    Logger.info("store reserve in place file={} bytes={} freeBytes={}", reserve.path(),
                            reserve.bytes(), b.fsFree() - reserve.bytes());
                }
                reserveWritten = true;
            } catch (IOException e) {
                log.warn("reserve", "store reserve not written, tried again later file={} error={}", reserve.path(),
                        e.getMessage());
            }
            b = budget();
        }
        return b;
    }

    private boolean releaseReserve(String who) {
        try {
            if (reserve.release()) {
                log.warn("reserve.released", "store reserve released to let a write through file={} bytes={} for={}",
                        reserve.path(), reserve.bytes(), who);
                return true;
            }
        } catch (IOException e) {
            log.error("reserve.release", "store reserve cannot be released file={} error={}", reserve.path(),
                    e.getMessage());
        }
        return false;
    }

    /**
     * At open: the WAL of the last run checkpointed, an old file switched to incremental vacuum when the
     * disk has room for it, and the reserve and limits applied. Failures are logged: a full disk must not keep
     * the agent from starting.
     */
    void atOpen() {
        try {
            write("open", 0, Rescue.KEEP_READINGS, () -> tx.checkpoint(false));
        } catch (SQLException e) {
            log.warn("open", "store checkpoint at open failed error={}", e.getMessage());
        }
        try {
            Budget b = budget();
            shrinker.convert(b.dbBytes(), b.fsFree(), 2 * b.dbBytes() + reserve.bytes() + walAllowance + headroom);
        } catch (SQLException | IOException e) {
            log.warn("open", "store space figures not read at open error={}", e.getMessage());
        }
        upkeep(true);
    }

    void close() {
        synchronized (lock) {
            closed = true;
        }
    }

    @Override
    public SpaceStatus status() {
        synchronized (lock) {
            if (!closed) {
                try {
                    budget();
                } catch (SQLException | IOException e) {
                    log.warn("status", "store space figures not read error={}", e.getMessage());
                }
            }
            return lastStatus;
        }
    }

    @Override
    public boolean makeRoom(long bytes, String writer) {
        // the reserve first: deleting a file is immediate and needs no lock of the store
        if (releaseReserve(writer)) {
            synchronized (lock) {
                metFullDisk = true;
            }
            return true;
        }
        synchronized (lock) {
            if (closed) {
                return false;
            }
            metFullDisk = true;
            long before = freeQuietly();
            try {
                long perReading = retention.bytesPerReading();
                long wanted = Math.max(bytes, MIN_STEP_BYTES) * 2;
                long dropped = retention.dropOldestInSteps(Math.max(Retention.MIN_DROP, wanted / perReading),
                        stepBytes(before) / perReading, true, Retention.Reason.FULL, this::checkpointIfLarge);
                checkpointQuietly();
                shrinker.shrink(wanted);
                long after = freeQuietly();
                log.warn("makeRoom", "store made room for another writer writer={} bytes={} droppedReadings={}"
                        + " freeBytesBefore={} freeBytes={}", writer, bytes, dropped, before, after);
                return after > before;
            } catch (SQLException | RuntimeException e) {
                log.error("makeRoom", "store could not make room for another writer writer={} error={}", writer,
                        e.getMessage());
                return false;
            }
        }
    }
}
