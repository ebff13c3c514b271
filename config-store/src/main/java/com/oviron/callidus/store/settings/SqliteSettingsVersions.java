package com.oviron.callidus.store.settings;

import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.StoreSpace;
import com.oviron.callidus.store.state.StateDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** The settings versions in their own small SQLite file ({@link StateDatabase}: every commit survives a power cut). */
public final class SqliteSettingsVersions implements SettingsVersions {
    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE version (name TEXT NOT NULL, version INTEGER NOT NULL, sha256 TEXT NOT NULL,"
                    + " content BLOB NOT NULL, origin TEXT NOT NULL, at INTEGER NOT NULL, note TEXT NOT NULL,"
                    + " deleted INTEGER NOT NULL, PRIMARY KEY (name, version));"
                    + "CREATE TABLE document (name TEXT PRIMARY KEY, latest INTEGER NOT NULL,"
                    + " synced INTEGER NOT NULL DEFAULT 0);"
                    + "CREATE TABLE defaults (name TEXT PRIMARY KEY, clinic TEXT NOT NULL, version INTEGER NOT NULL,"
                    + " sha256 TEXT NOT NULL, content BLOB NOT NULL, at INTEGER NOT NULL);"
                    + "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
    private static final String COLUMNS = "v.name, v.version, v.sha256, v.content, v.origin, v.at, v.note, v.deleted";

    private final StateDatabase db;
    private final int maxVersions;

    private SqliteSettingsVersions(StateDatabase db, int maxVersions) {
        this.db = db;
        this.maxVersions = maxVersions;
    }

    /** Opens or creates the file, keeping {@code maxVersions} versions per document (at least 2). */
    public static SqliteSettingsVersions open(Path file, int maxVersions, Clock clock) throws StoreException {
        if (maxVersions < 2) {
            throw new IllegalArgumentException("maxVersions must be at least 2, got " + maxVersions);
        }
        return new SqliteSettingsVersions(StateDatabase.open(file, SCHEMA, clock), maxVersions);
    }

    /** Like {@link #open(Path, int, Clock)}; a full disk asks {@code space} for room ({@link StateDatabase}). */
    public static SqliteSettingsVersions open(Path file, int maxVersions, Clock clock, StoreSpace space)
            throws StoreException {
        if (maxVersions < 2) {
            throw new IllegalArgumentException("maxVersions must be at least 2, got " + maxVersions);
        }
        return new SqliteSettingsVersions(StateDatabase.open(file, SCHEMA, clock, space), maxVersions);
    }

    @Override
    public List<DocumentVersion> record(List<NewVersion> versions, List<NewDefaults> defaults, long atMillis)
            throws StoreException {
        checkBatch(versions, defaults);
        return db.inTransaction(c -> {
            List<DocumentVersion> out = new ArrayList<>();
            for (NewVersion n : versions) {
                long number = latestNumber(c, n.name()) + 1;
                DocumentVersion v = new DocumentVersion(n.name(), number, Sha256.hex(n.content()), n.content(),
                        n.origin(), atMillis, n.note(), n.deleted());
                try (PreparedStatement ins = c.prepareStatement("INSERT INTO version (name, version, sha256, content,"
                        + " origin, at, note, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ins.setString(1, v.name());
                    ins.setLong(2, v.version());
                    ins.setString(3, v.sha256());
                    ins.setBytes(4, v.content());
                    ins.setString(5, v.origin().wire());
                    ins.setLong(6, atMillis);
                    ins.setString(7, v.note());
                    ins.setInt(8, v.deleted() ? 1 : 0);
                    ins.executeUpdate();
                }
                try (PreparedStatement up = c.prepareStatement("INSERT INTO document (name, latest) VALUES (?, ?)"
                        + " ON CONFLICT(name) DO UPDATE SET latest = excluded.latest")) {
                    up.setString(1, v.name());
                    up.setLong(2, number);
                    up.executeUpdate();
                }
                prune(c, v.name(), number);
                out.add(v);
            }
            for (NewDefaults d : defaults) {
                long number = 1;
                try (PreparedStatement q = c.prepareStatement("SELECT version FROM defaults WHERE name = ?")) {
                    q.setString(1, d.name());
                    try (ResultSet rs = q.executeQuery()) {
                        if (rs.next()) {
                            number = rs.getLong(1) + 1;
                        }
                    }
                }
                try (PreparedStatement up = c.prepareStatement("INSERT OR REPLACE INTO defaults (name, clinic, version,"
                        + " sha256, content, at) VALUES (?, ?, ?, ?, ?, ?)")) {
                    up.setString(1, d.name());
                    up.setString(2, d.clinic());
                    up.setLong(3, number);
                    up.setString(4, Sha256.hex(d.content()));
                    up.setBytes(5, d.content());
                    up.setLong(6, atMillis);
                    up.executeUpdate();
                }
            }
            return List.copyOf(out);
        });
    }

    /** Refuses a batch that names a document twice or holds an oversized document; shared with the fake. */
    public static void checkBatch(List<NewVersion> versions, List<NewDefaults> defaults) {
        Set<String> names = new HashSet<>();
        for (NewVersion n : versions) {
            if (!names.add(n.name())) {
                throw new IllegalArgumentException("document " + n.name() + " given twice in one change");
            }
            if (n.content().length > MAX_DOCUMENT_BYTES) {
                throw new IllegalArgumentException("document " + n.name() + " has " + n.content().length
                        + " bytes, at most " + MAX_DOCUMENT_BYTES + " allowed");
            }
        }
        Set<String> defaultNames = new HashSet<>();
        for (NewDefaults d : defaults) {
            if (!defaultNames.add(d.name())) {
                throw new IllegalArgumentException("defaults for " + d.name() + " given twice in one change");
            }
            if (d.content().length > MAX_DOCUMENT_BYTES) {
                throw new IllegalArgumentException("defaults for " + d.name() + " have " + d.content().length
                        + " bytes, at most " + MAX_DOCUMENT_BYTES + " allowed");
            }
        }
    }

    private void prune(Connection c, String name, long latest) throws SQLException {
        try (PreparedStatement del = c.prepareStatement("DELETE FROM version WHERE name = ? AND version <= ?"
                + " AND version <> (SELECT synced FROM document WHERE name = ?)")) {
            del.setString(1, name);
            del.setLong(2, latest - maxVersions);
            del.setString(3, name);
            del.executeUpdate();
        }
    }

    private static long latestNumber(Connection c, String name) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT latest FROM document WHERE name = ?")) {
            q.setString(1, name);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    @Override
    public Optional<DocumentVersion> latest(String name) throws StoreException {
        return one("SELECT " + COLUMNS + " FROM version v JOIN document d ON d.name = v.name AND d.latest = v.version"
                + " WHERE v.name = ?", name, null);
    }

    @Override
    public List<DocumentVersion> latestAll() throws StoreException {
        return many("SELECT " + COLUMNS + " FROM version v JOIN document d ON d.name = v.name"
                + " AND d.latest = v.version ORDER BY v.name");
    }

    @Override
    public Optional<DocumentVersion> version(String name, long version) throws StoreException {
        return one("SELECT " + COLUMNS + " FROM version v WHERE v.name = ? AND v.version = ?", name, version);
    }

    @Override
    public Optional<DocumentVersion> synced(String name) throws StoreException {
        return one("SELECT " + COLUMNS + " FROM version v JOIN document d ON d.name = v.name AND d.synced = v.version"
                + " WHERE v.name = ?", name, null);
    }

    @Override
    public void markSynced(String name, long version) throws StoreException {
        db.inTransaction(c -> {
            try (PreparedStatement up = c.prepareStatement("UPDATE document SET synced = ? WHERE name = ?"
                    + " AND synced < ? AND latest >= ?")) {
                up.setLong(1, version);
                up.setString(2, name);
                up.setLong(3, version);
                up.setLong(4, version);
                up.executeUpdate();
            }
            // the old base may have been kept only because it was the base
            prune(c, name, latestNumber(c, name));
            return null;
        });
    }

    @Override
    public List<DocumentVersion> unsynced() throws StoreException {
        return many("SELECT " + COLUMNS + " FROM version v JOIN document d ON d.name = v.name"
                + " AND d.latest = v.version WHERE d.synced < d.latest ORDER BY v.name");
    }

    @Override
    public List<ClinicDefaults> defaults() throws StoreException {
        return db.read(c -> {
            List<ClinicDefaults> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement("SELECT clinic, name, version, sha256, content, at"
                    + " FROM defaults ORDER BY name");
                 ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new ClinicDefaults(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                            rs.getBytes(5), rs.getLong(6)));
                }
            }
            return List.copyOf(out);
        });
    }

    @Override
    public OptionalLong lastFullBackupMillis() throws StoreException {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT value FROM meta WHERE key = 'last_full_backup'");
                 ResultSet rs = q.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        });
    }

    @Override
    public void fullBackupDone(long atMillis) throws StoreException {
        db.inTransaction(c -> {
            try (PreparedStatement up = c.prepareStatement(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_full_backup', ?)")) {
                up.setLong(1, atMillis);
                return up.executeUpdate();
            }
        });
    }

    private Optional<DocumentVersion> one(String sql, String name, Long version) throws StoreException {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement(sql)) {
                q.setString(1, name);
                if (version != null) {
                    q.setLong(2, version);
                }
                try (ResultSet rs = q.executeQuery()) {
                    return rs.next() ? Optional.of(row(rs)) : Optional.empty();
                }
            }
        });
    }

    private List<DocumentVersion> many(String sql) throws StoreException {
        return db.read(c -> {
            List<DocumentVersion> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement(sql);
                 ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            return List.copyOf(out);
        });
    }

    private static DocumentVersion row(ResultSet rs) throws SQLException {
        Origin origin;
        try {
            origin = Origin.fromWire(rs.getString(5));
        } catch (IllegalArgumentException e) {
            throw new SQLException("settings version with unknown origin " + rs.getString(5), e);
        }
        byte[] content = rs.getBytes(4);
        return new DocumentVersion(rs.getString(1), rs.getLong(2), rs.getString(3),
                content == null ? new byte[0] : content, origin,
                rs.getLong(6), rs.getString(7), rs.getInt(8) != 0);
    }

    @Override
    public void close() {
        db.close();
    }
}
