package com.oviron.callidus.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/** The driver's native library extracted once into a folder of the agent's own (ADR 0028). */
class SqliteNativeLibraryTest {
    @TempDir
    Path dir;
    String path;
    String name;

    @BeforeEach
    void saveProperties() {
        path = System.clearProperty(SqliteNativeLibrary.PATH_PROPERTY);
        name = System.clearProperty(SqliteNativeLibrary.NAME_PROPERTY);
    }

    @AfterEach
    void restoreProperties() {
        restore(SqliteNativeLibrary.PATH_PROPERTY, path);
        restore(SqliteNativeLibrary.NAME_PROPERTY, name);
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    private static byte[] shipped() throws Exception {
        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            return in.readAllBytes();
        }
    }

    @Test
    void the_drivers_library_is_extracted_into_a_folder_named_after_its_version_and_the_driver_pointed_at_it()
            throws Exception {
        Path lib = SqliteNativeLibrary.useFolder(dir).orElseThrow();
        assertEquals(dir.resolve("sqlite-jdbc-" + SQLiteJDBCLoader.getVersion()).resolve(
                LibraryLoaderUtil.getNativeLibName()), lib);
        assertArrayEquals(shipped(), Files.readAllBytes(lib));
        assertEquals(lib.getParent().toAbsolutePath().toString(), System.getProperty(SqliteNativeLibrary.PATH_PROPERTY));
        assertEquals(LibraryLoaderUtil.getNativeLibName(), System.getProperty(SqliteNativeLibrary.NAME_PROPERTY));
        try (var files = Files.list(lib.getParent())) {
            assertEquals(1, files.count(), "no temporary file left beside it");
        }
    }

    @Test
    void a_library_already_there_is_used_as_it_is_without_copying_it_again() throws Exception {
        Path lib = dir.resolve("sqlite-jdbc-" + SQLiteJDBCLoader.getVersion()).resolve(
                LibraryLoaderUtil.getNativeLibName());
        Files.createDirectories(lib.getParent());
        Files.writeString(lib, "extracted at an earlier start");
        assertEquals(Optional.of(lib), SqliteNativeLibrary.useFolder(dir));
        assertEquals("extracted at an earlier start", Files.readString(lib));
    }

    @Test
    void a_library_path_set_by_someone_else_is_left_alone() {
        System.setProperty(SqliteNativeLibrary.PATH_PROPERTY, "/opt/elsewhere");
        assertEquals(Optional.empty(), SqliteNativeLibrary.useFolder(dir));
        assertEquals("/opt/elsewhere", System.getProperty(SqliteNativeLibrary.PATH_PROPERTY));
        assertTrue(Files.notExists(dir.resolve("sqlite-jdbc-" + SQLiteJDBCLoader.getVersion())));
    }
}
