package com.oviron.callidus.store.settings;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.oviron.callidus.store.StoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteSettingsVersionsTest extends SettingsVersionsContract {
    @TempDir
    Path dir;
    private int files;

    @Override
    SettingsVersions fresh() throws StoreException {
        return SqliteSettingsVersions.open(dir.resolve("settings-" + files++ + ".db"), MAX, Clock.systemUTC());
    }

    @Test
    void versions_and_the_synced_base_survive_reopening() throws Exception {
        Path file = dir.resolve("settings.db");
        try (SettingsVersions store = SqliteSettingsVersions.open(file, MAX, Clock.systemUTC())) {
            store.record(List.of(local("installation.json", "{\"a\":1}")), List.of(), 1);
            store.markSynced("installation.json", 1);
            store.record(List.of(local("installation.json", "{\"a\":2}")), List.of(), 2);
        }
        try (SettingsVersions store = SqliteSettingsVersions.open(file, MAX, Clock.systemUTC())) {
            assertEquals(2, store.latest("installation.json").orElseThrow().version());
            assertEquals(1, store.synced("installation.json").orElseThrow().version());
            assertEquals("{\"a\":1}", new String(store.synced("installation.json").orElseThrow().content(), UTF_8));
        }
    }

    @Test
    void a_failure_inside_the_transaction_records_nothing() throws Exception {
        Path file = dir.resolve("settings.db");
        try (SettingsVersions store = SqliteSettingsVersions.open(file, MAX, Clock.systemUTC())) {
            store.record(List.of(local("installation.json", "{}")), List.of(), 1);
        }
        // a trigger makes the second insert of the batch fail, as a full disk would
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement st = c.createStatement()) {
            st.execute("CREATE TRIGGER no_b BEFORE INSERT ON version WHEN NEW.name = 'users/b.json'"
                    + " BEGIN SELECT RAISE(ABORT, 'disk full'); END");
        }
        try (SettingsVersions store = SqliteSettingsVersions.open(file, MAX, Clock.systemUTC())) {
            assertThrows(StoreException.class, () -> store.record(List.of(local("installation.json", "{\"x\":1}"),
                    local("users/b.json", "{}")), List.of(), 2));
            assertEquals(1, store.latest("installation.json").orElseThrow().version());
            assertEquals(1, store.latestAll().size());
        }
    }
}
