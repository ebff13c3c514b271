package com.oviron.callidus.store.state;

import com.oviron.callidus.store.StoreException;
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
 */
public final class StateDatabase implements AutoCloseable {

    /** Work with the connection; a transaction's work must not commit or roll back itself. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    private final Path file;
    private final Connection connection;
    private boolean closed;

    private StateDatabase(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    /**
     * Opens or creates the file and applies the schema steps it has not had yet: step {@code i} of
     * {@code schema} brings the file to version {@code i + 1}; steps are only ever appended.
     */
    public static StateDatabase open(Path file, List<String> schema, Clock clock) throws StoreException {
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
            return new StateDatabase(file, c);
        } catch (SQLException e) {
            closeQuietly(c);
            throw new StoreException("cannot open state file " + file + ": " + e.getMessage(), e);
        } catch (StoreException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /** Runs {@code work} in one transaction: all of it is committed, or none of it. */
    public synchronized <T> T inTransaction(SqlWork<T> work) throws StoreException {
        checkOpen();
        try {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException(file.getFileName() + ": " + e.getMessage(), e);
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

    private static boolean healthy(Path file) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA quick_check")) {
            return rs.next() && "ok".equalsIgnoreCase(rs.getString(1));
        } catch (SQLException e) {
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
