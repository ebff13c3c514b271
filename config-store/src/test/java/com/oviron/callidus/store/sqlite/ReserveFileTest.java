package com.oviron.callidus.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.RetentionSettings;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReserveFileTest {
    @TempDir
    Path dir;

    @Test
    void the_reserve_is_written_released_and_written_again_with_bytes_that_do_not_compress() throws Exception {
        ReserveFile reserve = new ReserveFile(dir.resolve("agent.db.reserve"), 300_000);
        assertFalse(reserve.held());
        reserve.create();
        assertTrue(reserve.held());
        byte[] bytes = Files.readAllBytes(reserve.path());
        assertEquals(300_000, bytes.length);
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        try (DeflaterOutputStream out = new DeflaterOutputStream(packed, new Deflater(Deflater.BEST_COMPRESSION))) {
            out.write(bytes);
        }
        assertTrue(packed.size() > bytes.length * 9 / 10, "a compressing file system would keep it: " + packed.size());
        assertTrue(reserve.release());
        assertFalse(Files.exists(reserve.path()));
        assertFalse(reserve.release(), "nothing left to release");
        reserve.create();
        assertTrue(reserve.held());
    }

    @Test
    void a_link_in_the_place_of_the_reserve_is_replaced_never_followed() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside")).resolve("victim");
        Files.writeString(outside, "someone else's file");
        Path store = Files.createDirectories(dir.resolve("store")).resolve("agent.db");
        Files.createSymbolicLink(SpaceKeeper.reserveFileOf(store), outside);
        try (SqliteTelemetryOutbox outbox = SqliteTelemetryOutbox.open(store, Durability.NORMAL,
                RetentionSettings.defaults(), 1 << 20, Clock.systemUTC())) {
            assertTrue(outbox.space().status().reserveHeld());
        }
        assertEquals("someone else's file", Files.readString(outside));
        Path reserve = SpaceKeeper.reserveFileOf(store);
        assertFalse(Files.isSymbolicLink(reserve));
        assertTrue(Files.isRegularFile(reserve, LinkOption.NOFOLLOW_LINKS));
        assertEquals(1 << 20, Files.size(reserve));
    }
}
