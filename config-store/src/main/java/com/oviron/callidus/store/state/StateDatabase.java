package com.oviron.callidus.store.state;

import com.oviron.callidus.store.DiskFull;
import com.oviron.callidus.store.SpaceStatus;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.StoreSpace;
import com.oviron.callidus.store.log.FailureLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.tinylog.Logger;

/**
 * A small SQLite file for the agent's state besides telemetry (command journal, settings versions, file
 * transfers): WAL, {@code synchronous = FULL} (every commit survives a power cut), a schema versioned by
 * {@code PRAGMA user_version}, and one connection used under this object's lock. A file that fails
 * {@code PRAGMA quick_check} at open is moved aside (kept for service) and started afresh: this state is
 * small and the cloud holds a copy of what matters.
 *
 * <p>On a full disk: the WAL stays small ({@value #WAL_LIMIT_BYTES} bytes at most after a checkpoint), and a
 * transaction (or the open) that meets a full disk asks the {@link StoreSpace} for room (the telemetry store
 * releases its reserve, or drops its oldest readings) and runs once more.
 */
public final class StateDatabase implements AutoCloseable {

    /** Work with the connection; a transaction's work must not commit or roll back itself. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /** The WAL is checkpointed at about this size and cut back to it after a checkpoint. */
    static final long WAL_LIMIT_BYTES = 256 * 1024;
    /** Room asked for when a transaction meets a full disk: the WAL limit covers any transaction of these files. */
    private static final long ROOM_BYTES = WAL_LIMIT_BYTES;

    /** Without a telemetry store to make room: a full disk fails the write. */
    private static final StoreSpace NO_SPACE_KEEPER = new StoreSpace() {
        @Override
        public SpaceStatus status() {
            return new SpaceStatus(0, 0, 0, false, 0, false);
        }

        @Override
        public boolean makeRoom(long bytes, String writer) {
            return false;
        }
    };

    private final Path file;
    private final Connection connection;
    private final StoreSpace space;
    private final FailureLog log = new FailureLog();
    private boolean closed;

    private StateDatabase(Path file, Connection connection, StoreSpace space) {
        this.file = file;
        this.connection = connection;
        this.space = space;
    }

    /**
     * Opens or creates the file and applies the schema steps it has not had yet: step {@code i} of
     * {@code schema} brings the file to version {@code i + 1}; steps are only ever appended.
     */
    public static StateDatabase open(Path file, List<String> schema, Clock clock) throws StoreException {
        return open(file, schema, clock, NO_SPACE_KEEPER);
    }

    /**
     * Like {@link #open(Path, List, Clock)}; a full disk (at the open or in a transaction) asks {@code space}
     * for room and tries once more.
     */
    public static StateDatabase open(Path file, List<String> schema, Clock clock, StoreSpace space)
            throws StoreException {
        try {
            return openOnce(file, schema, clock, space);
        } catch (StoreException e) {
            if (!DiskFull.is(e) || !space.makeRoom(ROOM_BYTES, file.getFileName().toString())) {
                throw e;
            }
            Logger.warn("state file met a full disk at open, room made, opening again file={}", file);
            return openOnce(file, schema, clock, space);
        }
    }

    private static StateDatabase openOnce(Path file, List<String> schema, Clock clock, StoreSpace space)
            throws StoreException {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new StoreException("cannot create the folder of " + file + ": " + e.getMessage(), e);
        }
        if (Files.exists(file) && !healthy(file)) {
            Path aside = file.resolveSibling(file.getFileName() + ".corrupt-"
                    + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC)
                    .format(clock.instant()));
            try {
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                Files.deleteIfExists(file.resolveSibling(file.getFileName() + "-wal"));
                Files.deleteIfExists(file.resolveSibling(file.getFileName() + "-shm"));
            } catch (IOException e) {
                throw new StoreException("state file " + file + " is damaged and cannot be moved aside: "
                        + e.getMessage(), e);
            }
            Logger.error("state file was damaged, moved aside and started afresh file={} movedTo={}", file, aside);
        }
        Connection c = null;
        try {
            c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = 5000");
                st.execute("PRAGMA journal_mode = WAL");
                st.execute("PRAGMA synchronous = FULL");
                st.execute("PRAGMA journal_size_limit = " + WAL_LIMIT_BYTES);
                st.execute("PRAGMA wal_autocheckpoint = " + WAL_LIMIT_BYTES / 4096);
                int version;
                try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
                    version = rs.getInt(1);
                }
                if (version > schema.size()) {
                    throw new StoreException("state file " + file + " has schema version " + version
                            + ", newer than this agent's " + schema.size() + " (a downgrade?)");
                }
                c.setAutoCommit(false);
                for (int v = version; v < schema.size(); v++) {
                    for (String sql : schema.get(v).split(";")) {
                        if (!sql.isBlank()) {
                            st.execute(sql);
                        }
                    }
                    st.execute("PRAGMA user_version = " + (v + 1));
                }
                c.commit();
                c.setAutoCommit(true);
            }
            return new StateDatabase(file, c, space);
        } catch (SQLException e) {
            closeQuietly(c);
            throw new StoreException("cannot open state file " + file + ": " + e.getMessage(), e);
        } catch (StoreException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /**
     * Runs {@code work} in one transaction: all of it is committed, or none of it. A transaction that meets a
     * full disk is run once more after the {@link StoreSpace} made room; the work must therefore be SQL only.
     */
    public synchronized <T> T inTransaction(SqlWork<T> work) throws StoreException {
        checkOpen();
        try {
            T result = once(work);
            log.cleared("full", "state file writes again file={}", file.getFileName());
            return result;
        } catch (SQLException e) {
            if (DiskFull.is(e) && space.makeRoom(ROOM_BYTES, file.getFileName().toString())) {
                log.warn("full", "state file met a full disk, room made, trying again file={} error={}",
                        file.getFileName(), e.getMessage());
                try {
                    return once(work);
                } catch (SQLException again) {
                    throw new StoreException(file.getFileName() + ": " + again.getMessage(), again);
                }
            }
            throw new StoreException(file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    private <T> T once(SqlWork<T> work) throws SQLException {
        connection.setAutoCommit(false);
        try {
            T result = work.run(connection);
            connection.commit();
            connection.setAutoCommit(true);
            return result;
        } catch (SQLException | RuntimeException e) {
            // after a full disk SQLite has rolled back by itself; "no transaction is active" must not hide why
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the error that matters is e
            }
            try {
                connection.setAutoCommit(true);
            } catch (SQLException ignored) {
                // likewise
            }
            throw e;
        }
    }

    /** Runs read-only {@code work} (or a single statement) outside an explicit transaction. */
    public synchronized <T> T read(SqlWork<T> work) throws StoreException {
        checkOpen();
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw new StoreException(file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    private void checkOpen() throws StoreException {
        if (closed) {
            throw new StoreException(file.getFileName() + " is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            closeQuietly(connection);
        }
    }

    /** Whether quick_check says ok; a full disk (no room even to read) is no damage: it is thrown. */
    private static boolean healthy(Path file) throws StoreException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA quick_check")) {
            return rs.next() && "ok".equalsIgnoreCase(rs.getString(1));
        } catch (SQLException e) {
            if (DiskFull.is(e)) {
                throw new StoreException("cannot check state file " + file + ": " + e.getMessage(), e);
            }
            return false;
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                Logger.warn("closing a state file failed error={}", e.getMessage());
            }
        }
    }
}
