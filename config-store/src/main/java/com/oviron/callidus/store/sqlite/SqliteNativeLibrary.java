package com.oviron.callidus.store.sqlite;

import com.oviron.callidus.store.state.DurableFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;
import org.tinylog.Logger;

/**
 * sqlite-jdbc's native library, extracted once into a folder of the agent's own instead of at every start
 * (ADR 0028). Left to itself, the driver runs {@code uname -o} in a child process, then copies the library out
 * of the jar into the temporary folder under a new random name, reads it back to compare and loads it: a
 * tenth to a half of a second of every start on the unit. With {@code org.sqlite.lib.path} pointing at a
 * folder that holds the library, it loads that file and does none of this.
 *
 * <p>The folder is named after the driver's version, so a release with another driver extracts its own. The
 * file is written to a temporary name, synced and renamed: a power cut leaves no half library. A file that
 * does not load (another machine's, damaged) costs nothing but the old way: the driver falls back to its own
 * extraction.
 */
public final class SqliteNativeLibrary {
    static final String PATH_PROPERTY = "org.sqlite.lib.path";
    static final String NAME_PROPERTY = "org.sqlite.lib.name";

    private SqliteNativeLibrary() {
    }

    /**
     * Points the driver at the library in {@code folder}, extracting it there first if it is not there yet;
     * call before the first database is opened. Returns the library's file, or empty when the driver keeps its
     * own way (a library path already set, no library for this platform in the jar, the folder not writable).
     */
    public static Optional<Path> useFolder(Path folder) {
        if (System.getProperty(PATH_PROPERTY) != null) {
            return Optional.empty();
        }
        String name = LibraryLoaderUtil.getNativeLibName();
        Path dir = folder.resolve("sqlite-jdbc-" + SQLiteJDBCLoader.getVersion().replaceAll("[^0-9A-Za-z.-]", "_"));
        Path lib = dir.resolve(name);
        try {
            if (!Files.isRegularFile(lib, LinkOption.NOFOLLOW_LINKS)) {
                if (!extract(dir, lib, name)) {
                    return Optional.empty();
                }
                Logger.info("sqlite native library extracted once file={}", lib);
            }
        } catch (IOException | RuntimeException e) {
            Logger.warn("sqlite native library not extracted, the driver extracts it at each start folder={} error={}",
                    dir, e.getMessage());
            return Optional.empty();
        }
        System.setProperty(PATH_PROPERTY, dir.toAbsolutePath().toString());
        System.setProperty(NAME_PROPERTY, name);
        return Optional.of(lib);
    }

    private static boolean extract(Path dir, Path lib, String name) throws IOException {
        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name;
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                return false;
            }
            if (Files.isSymbolicLink(dir) || Files.isSymbolicLink(dir.getParent())) {
                throw new IOException("refusing a symbolic link at " + dir);
            }
            Files.createDirectories(dir);
            DurableFiles.replace(lib, in.readAllBytes());
            return true;
        }
    }
}
