package com.oviron.callidus.store;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.sql.SQLException;

/**
 * Tells a full disk (or a full store) apart from other failures: SQLite's {@code SQLITE_FULL} (and
 * {@code SQLITE_IOERR_SHMSIZE}, a WAL index that cannot grow) and the operating system's ENOSPC ("No space left
 * on device"), also when wrapped as the cause of another exception.
 */
public final class DiskFull {
    private static final int SQLITE_FULL = 13;
    /** The shared-memory file of a WAL database could not grow: on a full disk, when a connection opens. */
    private static final int SQLITE_IOERR_SHMSIZE = 4874;

    private DiskFull() {
    }

    /** Whether {@code error}, or one of its causes, says that the disk or the database is full. */
    public static boolean is(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException e && ((e.getErrorCode() & 0xFF) == SQLITE_FULL
                    || e.getErrorCode() == SQLITE_IOERR_SHMSIZE)) {
                return true;
            }
            if (t instanceof FileSystemException e && mentionsFull(e.getReason())) {
                return true;
            }
            if ((t instanceof SQLException || t instanceof IOException || t instanceof StoreException)
                    && mentionsFull(t.getMessage())) {
                return true;
            }
        }
        return false;
    }

    private static boolean mentionsFull(String message) {
        return message != null && (message.contains("SQLITE_FULL") || message.contains("No space left on device")
                || message.contains("database or disk is full") || message.contains("Disk quota exceeded")
                || message.contains("SQLITE_IOERR_SHMSIZE"));
    }
}
