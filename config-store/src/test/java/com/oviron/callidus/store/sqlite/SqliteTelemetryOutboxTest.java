package com.oviron.callidus.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.TelemetryOutbox;
import com.oviron.callidus.store.TelemetryOutboxContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import com.oviron.callidus.store.TelemetryRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteTelemetryOutboxTest extends TelemetryOutboxContract {
    @TempDir
    Path dir;

    @Override
    protected TelemetryOutbox create() throws Exception {
        return SqliteTelemetryOutbox.open(dir.resolve("agent.db"), Durability.FULL);
    }

    @Test
    void keeps_sequence_and_cursor_across_a_reopen() throws Exception {
        outbox.append(readings(5, 0));
        outbox.acknowledge(2);
        outbox.close();
        try (SqliteTelemetryOutbox again = SqliteTelemetryOutbox.open(dir.resolve("agent.db"), Durability.NORMAL)) {
            assertEquals(5, again.lastSeq());
            assertEquals(2, again.acknowledgedSeq());
            assertEquals(3, again.readAfter(0, 10).get(0).seq());
            assertEquals(8, again.append(readings(3, 100)));
            assertEquals("ok", again.integrityCheck());
        }
    }

    @Test
    void upgrades_a_version_1_database_keeping_readings_cursor_and_sequence() throws Exception {
        Path old = dir.resolve("v1.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old); Statement st = c.createStatement()) {
            // exactly what agent 0.1 (schema 1) wrote
            for (String sql : SchemaMigrations.ALL.get(0).statements()) {
                st.execute(sql);
            }
            st.execute("PRAGMA user_version = 1");
            for (int i = 1; i <= 6; i++) {
                st.execute("INSERT INTO telemetry(channel, ts, value, quality) VALUES ('ch" + (i % 2) + "', "
                        + (NOW + i) + ", " + (i * 1.5) + ", 0)");
            }
            st.execute("INSERT INTO telemetry(channel, ts, value, quality) VALUES ('ch9', " + (NOW + 7) + ", NULL, 2)");
            st.execute("UPDATE stream_cursor SET acknowledged_seq = 4");
            st.execute("DELETE FROM telemetry WHERE seq <= 4");
        }
        try (SqliteTelemetryOutbox upgraded = SqliteTelemetryOutbox.open(old, Durability.FULL)) {
            assertEquals(7, upgraded.lastSeq());
            assertEquals(4, upgraded.acknowledgedSeq());
            List<TelemetryRecord> rest = upgraded.readAfter(0, 10);
            assertEquals(List.of(5L, 6L, 7L), rest.stream().map(TelemetryRecord::seq).toList());
            assertEquals(new TelemetryRecord(5, "ch1", NOW + 5, 7.5, 0), rest.get(0));
            assertEquals("ch9", rest.get(2).channelId());
            assertTrue(Double.isNaN(rest.get(2).value()));
            assertEquals(8, upgraded.append(readings(1, 100)), "the sequence goes on, never reused");
            assertEquals("ok", upgraded.integrityCheck());
        }
    }

    @Test
    void an_upgrade_keeps_the_sequence_when_every_reading_was_acknowledged() throws Exception {
        Path old = dir.resolve("v1-empty.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old); Statement st = c.createStatement()) {
            for (String sql : SchemaMigrations.ALL.get(0).statements()) {
                st.execute(sql);
            }
            st.execute("PRAGMA user_version = 1");
            st.execute("INSERT INTO telemetry(channel, ts, value, quality) VALUES ('a', 1, 1, 0)");
            st.execute("INSERT INTO telemetry(channel, ts, value, quality) VALUES ('a', 2, 2, 0)");
            st.execute("UPDATE stream_cursor SET acknowledged_seq = 2");
            st.execute("DELETE FROM telemetry");
        }
        try (SqliteTelemetryOutbox upgraded = SqliteTelemetryOutbox.open(old, Durability.FULL)) {
            assertEquals(2, upgraded.lastSeq());
            assertEquals(3, upgraded.append(readings(1, 5)));
        }
    }

    @Test
    void writes_in_wal_mode_at_the_latest_schema_version() throws Exception {
        outbox.append(readings(1, 0));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("agent.db"));
             Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
                assertEquals("wal", rs.getString(1));
            }
            try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
                assertEquals(SchemaMigrations.latestVersion(), rs.getInt(1));
            }
        }
        assertTrue(Files.exists(dir.resolve("agent.db-wal")));
    }

    @Test
    void refuses_a_database_written_by_a_newer_agent_and_says_so() throws Exception {
        Path file = dir.resolve("from-the-future.db");
        SqliteTelemetryOutbox.open(file, Durability.FULL).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("PRAGMA user_version = 99");
        }
        StoreException e = assertThrows(StoreException.class, () -> SqliteTelemetryOutbox.open(file, Durability.FULL));
        assertTrue(e.getMessage().contains("schema version 99"), e.getMessage());
    }

    private static long autoVacuum(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA auto_vacuum")) {
            return rs.getLong(1);
        }
    }

    @Test
    void a_new_store_can_give_pages_it_no_longer_uses_back_to_the_disk() throws Exception {
        outbox.append(readings(1, 0));
        assertEquals(2, autoVacuum(dir.resolve("agent.db")), "auto_vacuum INCREMENTAL");
    }

    @Test
    void a_store_of_an_older_agent_is_converted_once_to_give_pages_back_to_the_disk() throws Exception {
        Path old = dir.resolve("old.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode = WAL");
            for (SchemaMigrations.Migration m : SchemaMigrations.ALL.subList(0, 5)) {
                for (String sql : m.statements()) {
                    st.execute(sql);
                }
            }
            st.execute("PRAGMA user_version = 5"); // the last schema with one row per reading
            st.execute("INSERT INTO channel(id, name) VALUES (1, 'a')");
            for (int i = 1; i <= 100; i++) {
                st.execute("INSERT INTO reading(channel_id, ts, value, quality) VALUES (1, " + (NOW + i) + ", " + i
                        + ", 0)");
            }
        }
        assertEquals(0, autoVacuum(old));
        try (SqliteTelemetryOutbox converted = SqliteTelemetryOutbox.open(old, Durability.FULL)) {
            assertEquals(100, converted.lastSeq());
            assertEquals(100, converted.readAfter(0, 1000).size(), "every reading kept");
            assertEquals("ok", converted.integrityCheck());
        }
        assertEquals(2, autoVacuum(old));
    }
}
