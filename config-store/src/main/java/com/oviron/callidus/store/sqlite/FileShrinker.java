package com.oviron.callidus.store.sqlite;

import com.oviron.callidus.store.log.FailureLog;
import java.sql.SQLException;
import java.util.function.LongSupplier;
import org.tinylog.Logger;

/**
 * Gives pages the readings no longer use back to the file system ({@code PRAGMA incremental_vacuum}), in steps
 * whose WAL fits on the disk, each followed by a checkpoint (which shrinks the file). The WAL file itself is
 * never cut to nothing here: its room is what lets the store delete and write on a disk with no byte free. A store
 * created before this agent is switched to incremental vacuum once, by a VACUUM, when the disk has room for it.
 */
final class FileShrinker {
    private static final int MAX_STEPS = 64;

    private final Transactions tx;
    private final long pageSize;
    private final LongSupplier stepBytes;
    private final FailureLog log;
    private boolean incremental;

    /** @param stepBytes how many bytes one step may move now (its WAL must fit on the disk) */
    FileShrinker(Transactions tx, long pageSize, LongSupplier stepBytes, FailureLog log) throws SQLException {
        this.tx = tx;
        this.pageSize = pageSize;
        this.stepBytes = stepBytes;
        this.log = log;
        this.incremental = tx.pragma("auto_vacuum") == 2;
    }

    boolean incremental() {
        return incremental;
    }

    /** Gives up to {@code bytes} of unused pages back to the file system. */
    void shrink(long bytes) {
        if (!incremental || bytes <= 0) {
            return;
        }
        try {
            long pages = (bytes + pageSize - 1) / pageSize;
            for (int step = 0; step < MAX_STEPS && pages > 0; step++) {
                long freelist = tx.pragma("freelist_count");
                if (freelist == 0) {
                    return;
                }
                long n = Math.min(Math.min(pages, freelist), Math.max(16, stepBytes.getAsLong() / pageSize));
                tx.execute("PRAGMA incremental_vacuum(" + n + ")");
                tx.checkpoint(false); // the file shrinks; the WAL keeps its room for the store's next writes
                pages -= n;
            }
        } catch (SQLException e) {
            log.warn("vacuum", "store could not give free pages back to the disk error={}", e.getMessage());
        }
    }

    /**
     * Switches a store of an older agent to incremental vacuum: one VACUUM copies the live data once (the WAL
     * and a temporary file need about the file's size each). Only when {@code freeBytes} covers
     * {@code needsBytes}; else the store works on and only does not shrink its file.
     */
    void convert(long fileBytes, long freeBytes, long needsBytes) {
        if (incremental) {
            return;
        }
        if (freeBytes < needsBytes) {
            Logger.warn("store file cannot shrink until it is converted, which needs more free space"
                    + " fileBytes={} freeBytes={} needsBytes={}", fileBytes, freeBytes, needsBytes);
            return;
        }
        try {
            tx.execute("PRAGMA auto_vacuum = INCREMENTAL");
            tx.execute("VACUUM");
            tx.checkpoint(true);
            incremental = tx.pragma("auto_vacuum") == 2;
            Logger.info("store converted to incremental vacuum fileBytes={} converted={}", fileBytes, incremental);
        } catch (SQLException e) {
            Logger.warn("store not converted to incremental vacuum, works on without shrinking its file error={}",
                    e.getMessage());
        }
    }
}
