package com.oviron.callidus.agent.startup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The class data sharing (AppCDS) archive the launcher gave this JVM (ADR 0028): the classes of the agent's
 * start, parsed, verified and laid out by an earlier run, so that a start maps them instead of loading them.
 *
 * <p>The launcher {@code callidus-launch} names the archive after the jar it belongs to and passes
 * {@code -Dcallidus.classArchive=<file>} with {@code -Dcallidus.classArchive.mode=use} (the JVM was told to map
 * it) or {@code create} (the JVM writes it when the agent stops). In {@code use} mode it also leaves a marker
 * {@code <file>.unconfirmed}: a start that never gets here (a damaged archive can crash the JVM before any Java
 * runs) leaves the marker behind, and the launcher drops the archive at the next start. Once the agent is ready,
 * {@link #confirm()} removes the marker when the JVM mapped the archive and removes the archive too when it did
 * not (made for another jar or another Java, or damaged): the next start has the JVM write a new one when it
 * stops.
 */
public final class ClassArchive {
    static final String PROPERTY = "callidus.classArchive";
    static final String MODE_PROPERTY = "callidus.classArchive.mode";
    static final String UNCONFIRMED = ".unconfirmed";

    /** What became of the archive in this start. */
    public enum State {
        /** the launcher passed no archive (CALLIDUS_CLASS_ARCHIVE_DIR unset, or not started by the launcher) */
        OFF,
        /** the JVM mapped the archive */
        USED,
        /** the JVM was given the archive and did not map it: removed, the next start has a new one written */
        IGNORED,
        /** no archive for this jar yet: the JVM writes it when the agent stops */
        CREATING
    }

    private final Optional<Path> file;
    private final String mode;
    private final Path maps;

    ClassArchive(Optional<Path> file, String mode, Path maps) {
        this.file = file;
        this.mode = mode;
        this.maps = maps;
    }

    /** The archive this JVM was started with, from the launcher's system properties. */
    public static ClassArchive ofThisJvm() {
        String f = System.getProperty(PROPERTY, "");
        return new ClassArchive(f.isBlank() ? Optional.empty() : Optional.of(Path.of(f)),
                System.getProperty(MODE_PROPERTY, "use"), Path.of("/proc/self/maps"));
    }

    /** The archive's file, when the launcher named one. */
    public Optional<Path> file() {
        return file;
    }

    /**
     * Settles this start's archive: USED removes the marker, IGNORED removes the archive and the marker.
     * Runs once the agent is ready; failures to remove are ignored (the launcher copes with either file).
     */
    public State confirm() {
        if (file.isEmpty()) {
            return State.OFF;
        }
        Path archive = file.get();
        if (mode.equals("create")) {
            return State.CREATING;
        }
        boolean mapped = mapped(archive);
        deleteQuietly(archive.resolveSibling(archive.getFileName() + UNCONFIRMED));
        if (mapped) {
            return State.USED;
        }
        deleteQuietly(archive);
        return State.IGNORED;
    }

    /** Whether the process's memory map holds the archive's file: the JVM maps the regions it uses. */
    boolean mapped(Path archive) {
        String name = archive.toAbsolutePath().normalize().toString();
        String real;
        try {
            real = archive.toRealPath().toString();
        } catch (IOException e) {
            real = name;
        }
        try {
            List<String> lines = Files.readAllLines(maps);
            for (String line : lines) {
                if (line.endsWith(" " + name) || line.endsWith(" " + real)) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** The agent's own state file: a regular file of the archive's name only, never what a link points at. */
    private static void deleteQuietly(Path p) {
        try {
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(p)) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // the launcher decides again at the next start
        }
    }
}
