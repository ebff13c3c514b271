package com.oviron.callidus.agent.commands;

import com.google.gson.JsonObject;
import com.oviron.callidus.agent.logging.SwitchableConsoleWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A support bundle for Oviron's service: one zip with the diagnostics snapshot, the newest log lines
 * (the agent's log writer keeps the last {@value SwitchableConsoleWriter#RECENT_LINES}) and the configuration
 * with its secrets hidden. Written atomically into {@code <state>/bundles/}; only the newest
 * {@value #KEEP} are kept. The command {@code support.bundle} builds one and sends it to the cloud as a file.
 */
public final class SupportBundle {
    /** Bundles kept on the unit. */
    static final int KEEP = 3;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    /** A bundle written. */
    public record Bundle(Path file, long size, String sha256) {
    }

    private final Path folder;
    private final Clock clock;

    public SupportBundle(Path stateFolder, Clock clock) {
        this.folder = stateFolder.resolve("bundles");
        this.clock = clock;
    }

    /** Writes a bundle of {@code diagnostics} and {@code configSummary} plus the recent log lines. */
    public Bundle write(String deviceId, JsonObject diagnostics, String configSummary) throws IOException {
        Files.createDirectories(folder);
        String name = "support-" + deviceId + "-" + STAMP.format(clock.instant()) + ".zip";
        Path target = folder.resolve(name);
        Path temp = folder.resolve(name + ".tmp");
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        // created afresh: a leftover temp file (or anything put in its place) is removed, never written through
        Files.deleteIfExists(temp);
        try (OutputStream file = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             ZipOutputStream zip = new ZipOutputStream(new DigestOutputStream(file, sha))) {
            entry(zip, "diagnostics.json", UnitCommands.pretty(diagnostics));
            entry(zip, "recent-log.txt", String.join("\n", SwitchableConsoleWriter.recentLines()) + "\n");
            entry(zip, "configuration.txt", configSummary + "\n");
            entry(zip, "README.txt", "CALLIDUS support bundle of " + deviceId + ", made " + clock.instant()
                    + ".\ndiagnostics.json: as the command diagnostics.get returns it.\nrecent-log.txt: the newest "
                    + SwitchableConsoleWriter.RECENT_LINES + " log lines at most (level " + SwitchableConsoleWriter.level()
                    + ").\nconfiguration.txt: the agent's configuration, passwords hidden.\n");
        }
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            ch.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        prune();
        return new Bundle(target, Files.size(target), HexFormat.of().formatHex(sha.digest()));
    }

    private static void entry(ZipOutputStream zip, String name, String text) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(text.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }

    private void prune() throws IOException {
        List<Path> bundles;
        try (Stream<Path> files = Files.list(folder)) {
            bundles = files.filter(p -> p.getFileName().toString().endsWith(".zip")).sorted().toList();
        }
        for (int i = 0; i < bundles.size() - KEEP; i++) {
            Files.deleteIfExists(bundles.get(i));
        }
    }
}
