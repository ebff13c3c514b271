package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreLockTest {
    @TempDir
    Path dir;

    @Test
    void a_second_lock_on_the_same_store_folder_is_refused_naming_the_folder() throws Exception {
        try (StoreLock first = StoreLock.acquire(dir)) {
            StoreLock.HeldException e = assertThrows(StoreLock.HeldException.class, () -> StoreLock.acquire(dir));
            assertTrue(e.getMessage().contains("the store folder " + dir + " is in use by another agent"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("(pid " + ProcessHandle.current().pid() + ")"), e.getMessage());
            assertTrue(e.getMessage().contains(dir.resolve("agent.lock").toString()), e.getMessage());
        }
    }

    @Test
    void the_lock_file_names_the_holders_pid_and_only_its_owner_may_read_it() throws Exception {
        try (StoreLock lock = StoreLock.acquire(dir)) {
            Path file = dir.resolve(StoreLock.FILE_NAME);
            assertEquals(Optional.of(ProcessHandle.current().pid()), StoreLock.holderPid(file));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
    }

    @Test
    void a_released_lock_is_taken_again_and_a_stale_pid_is_replaced() throws Exception {
        Files.writeString(dir.resolve(StoreLock.FILE_NAME), "999999999\n", StandardCharsets.US_ASCII);
        StoreLock.acquire(dir).close();
        try (StoreLock again = StoreLock.acquire(dir)) {
            assertEquals(Optional.of(ProcessHandle.current().pid()),
                    StoreLock.holderPid(dir.resolve(StoreLock.FILE_NAME)));
        }
    }

    @Test
    void a_missing_store_folder_is_created() throws Exception {
        Path store = dir.resolve("var/lib/callidus");
        try (StoreLock lock = StoreLock.acquire(store)) {
            assertTrue(Files.isRegularFile(store.resolve(StoreLock.FILE_NAME)));
        }
    }

    @Test
    void a_link_planted_as_the_lock_file_is_not_followed() throws Exception {
        Path elsewhere = Files.writeString(dir.resolve("victim"), "keep me");
        Path store = Files.createDirectories(dir.resolve("store"));
        Files.createSymbolicLink(store.resolve(StoreLock.FILE_NAME), elsewhere);
        StoreLock.HeldException e = assertThrows(StoreLock.HeldException.class, () -> StoreLock.acquire(store));
        assertTrue(e.getMessage().contains("cannot open the store lock " + store.resolve("agent.lock")),
                e.getMessage());
        assertEquals("keep me", Files.readString(elsewhere));
    }

    @Test
    void a_lock_file_without_a_pid_gives_no_pid() throws Exception {
        Path file = Files.writeString(dir.resolve(StoreLock.FILE_NAME), "");
        assertFalse(StoreLock.holderPid(file).isPresent());
        Files.writeString(file, "not a pid");
        assertFalse(StoreLock.holderPid(file).isPresent());
    }
}
