package com.oviron.callidus.store.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.store.SpaceStatus;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.StoreSpace;
import com.oviron.callidus.store.testing.Tmpfs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A state database on a real full disk (a 4 MiB tmpfs mounted by the test). */
class StateDatabaseFullDiskTest {
    private static final List<String> SCHEMA = List.of("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB NOT NULL)");

    @TempDir
    Path dir;
    private Tmpfs fs;

    /** Makes room by deleting a file that another writer left, as the store releases its reserve. */
    private static final class DeletingSpace implements StoreSpace {
        final Path victim;
        final AtomicInteger asked = new AtomicInteger();

        DeletingSpace(Path victim) {
            this.victim = victim;
        }

        @Override
        public SpaceStatus status() {
            return new SpaceStatus(0, 0, 0, false, 0, true);
        }

        @Override
        public boolean makeRoom(long bytes, String writer) {
            asked.incrementAndGet();
            try {
                return Files.deleteIfExists(victim);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @BeforeEach
    void mount() throws Exception {
        fs = Tmpfs.mount(dir.resolve("disk"), 4L * 1024 * 1024);
    }

    @AfterEach
    void unmount() throws Exception {
        fs.close();
    }

    private static void put(StateDatabase db, int key, int bytes) throws StoreException {
        db.inTransaction(c -> {
            try (PreparedStatement ins = c.prepareStatement("INSERT OR REPLACE INTO t (k, v) VALUES (?, ?)")) {
                ins.setInt(1, key);
                ins.setBytes(2, new byte[bytes]);
                return ins.executeUpdate();
            }
        });
    }

    private static long count(StateDatabase db) throws StoreException {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT count(*) FROM t"); ResultSet rs = q.executeQuery()) {
                return rs.getLong(1);
            }
        });
    }

    @Test
    void a_full_disk_is_reported_as_such_and_the_database_works_again_when_there_is_room() throws Exception {
        try (StateDatabase db = StateDatabase.open(fs.path().resolve("commands.db"), SCHEMA, Clock.systemUTC())) {
            put(db, 1, 1000);
            fs.fill("other.bin", 0);
            StoreException e = assertThrows(StoreException.class, () -> put(db, 2, 200_000));
            assertTrue(e.getMessage().contains("SQLITE_FULL"), "the real reason, not a failed rollback: "
                    + e.getMessage());
            Files.delete(fs.path().resolve("other.bin"));
            put(db, 3, 1000);
            assertEquals(2, count(db), "the failed transaction left nothing, the next one went through");
        }
    }

    @Test
    void a_transaction_that_meets_a_full_disk_asks_for_room_and_goes_through() throws Exception {
        DeletingSpace space = new DeletingSpace(fs.path().resolve("reserve.bin"));
        try (StateDatabase db = StateDatabase.open(fs.path().resolve("settings.db"), SCHEMA, Clock.systemUTC(),
                space)) {
            put(db, 1, 1000);
            fs.fill("reserve.bin", 0);
            put(db, 2, 200_000);
            assertEquals(1, space.asked.get());
            assertEquals(2, count(db));
        }
    }

    @Test
    void a_sound_file_on_a_disk_too_full_to_check_it_is_not_taken_for_damaged() throws Exception {
        Path file = fs.path().resolve("transfers.db");
        try (StateDatabase db = StateDatabase.open(file, SCHEMA, Clock.systemUTC())) {
            put(db, 1, 1000);
        }
        fs.fill("reserve.bin", 0);
        assertThrows(StoreException.class, () -> StateDatabase.open(file, SCHEMA, Clock.systemUTC()));
        try (Stream<Path> files = Files.list(fs.path())) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().contains("corrupt")), "not moved aside");
        }
        DeletingSpace space = new DeletingSpace(fs.path().resolve("reserve.bin"));
        try (StateDatabase db = StateDatabase.open(file, SCHEMA, Clock.systemUTC(), space)) {
            assertEquals(1, count(db), "opened with room made, its content intact");
        }
    }
}
