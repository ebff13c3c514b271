package com.oviron.callidus.store.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * Channel names stored once, in table {@code channel}; readings refer to them by a small integer. The
 * whole dictionary is cached (a unit has tens of channels). Used under the outbox's lock; a new name is
 * inserted inside the caller's transaction, so it disappears with a rolled-back append.
 */
final class ChannelDictionary {
    private final Connection connection;
    private final Map<String, Integer> ids = new HashMap<>();
    private final Map<Integer, String> names = new HashMap<>();

    ChannelDictionary(Connection connection) throws SQLException {
        this.connection = connection;
        reload();
    }

    private void reload() throws SQLException {
        ids.clear();
        names.clear();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT id, name FROM channel")) {
            while (rs.next()) {
                ids.put(rs.getString(2), rs.getInt(1));
                names.put(rs.getInt(1), rs.getString(2));
            }
        }
    }

    int idOf(String name) throws SQLException {
        Integer id = ids.get(name);
        if (id != null) {
            return id;
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO channel(name) VALUES (?)",
                Statement.RETURN_GENERATED_KEYS)) {
            insert.setString(1, name);
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                int newId = keys.getInt(1);
                ids.put(name, newId);
                names.put(newId, name);
                return newId;
            }
        }
    }

    String nameOf(int id) throws SQLException {
        String name = names.get(id);
        if (name == null) {
            reload();
            name = names.get(id);
            if (name == null) {
                throw new SQLException("reading refers to unknown channel id " + id);
            }
        }
        return name;
    }

    /** Forgets names cached after a rollback (their ids may be reused). */
    void invalidate() throws SQLException {
        reload();
    }
}
