package com.oviron.callidus.agent.report;

import com.oviron.callidus.store.settings.Sha256;
import com.oviron.callidus.store.state.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Report pages on the unit: written to {@code <store folder>/reports/} (the newest {@link #KEEP} are kept, so an
 * upload of one resumes after a restart) and, for the console, copied to an export folder such as a USB
 * stick's mount point. Files are written whole and renamed into place; a symbolic link in the export folder is
 * replaced, never followed, and an export folder that is itself a link is refused.
 */
public final class ReportFiles {
    /** Report pages kept in the unit's own folder. */
    public static final int KEEP = 10;
    private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'")
            .withZone(ZoneOffset.UTC);

    /** A written page. */
    public record Saved(Path file, long size, String sha256) {
    }

    private final Path folder;
    private final Optional<Path> exportFolder;

    public ReportFiles(Path folder, Optional<Path> exportFolder) {
        this.folder = folder;
        this.exportFolder = exportFolder;
    }

    /** The unit's own report folder. */
    public Path folder() {
        return folder;
    }

    public Optional<Path> exportFolder() {
        return exportFolder;
    }

    /** {@code report-<device>-<from>-<to>.html}, times in UTC to the minute, at most 100 characters. */
    public static String name(String device, long fromMillis, long toMillis) {
        String d = device.length() > 40 ? device.substring(0, 40) : device;
        return "report-" + d + "-" + NAME_TIME.format(Instant.ofEpochMilli(fromMillis)) + "-"
                + NAME_TIME.format(Instant.ofEpochMilli(toMillis)) + ".html";
    }

    /** Writes a page into the unit's folder and removes the oldest beyond {@link #KEEP}. */
    public Saved save(String name, String html) throws IOException {
        byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
        Path file = folder.resolve(name);
        DurableFiles.replace(file, bytes);
        List<Path> pages;
        try (Stream<Path> files = Files.list(folder)) {
            pages = files.filter(p -> p.getFileName().toString().startsWith("report-")
                            && p.getFileName().toString().endsWith(".html"))
                    .sorted(Comparator.comparing(ReportFiles::modified).reversed()).toList();
        }
        for (int i = KEEP; i < pages.size(); i++) {
            if (!pages.get(i).equals(file)) {
                Files.deleteIfExists(pages.get(i));
            }
        }
        return new Saved(file, bytes.length, Sha256.hex(bytes));
    }

    /**
     * Copies a saved page into the export folder.
     *
     * @return the copy
     * @throws IOException when there is no export folder, it is missing, not a folder or a symbolic link, or the
     *     copy cannot be written
     */
    public Path export(Saved page) throws IOException {
        Path target = exportFolder.orElseThrow(() -> new IOException("no export folder is configured"
                + " (diagnostics.reports.exportFolder)"));
        if (Files.isSymbolicLink(target)) {
            throw new IOException("the export folder " + target + " is a symbolic link; it is not followed");
        }
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("the export folder " + target + " is not there (is the USB stick mounted?)");
        }
        Path copy = target.resolve(page.file().getFileName());
        DurableFiles.replace(copy, Files.readAllBytes(page.file()));
        return copy;
    }

    /** A page in the unit's folder by name, for resuming its upload after a restart. */
    public Optional<Path> find(String name) {
        Path file = folder.resolve(name).normalize();
        return file.getParent().equals(folder.normalize()) && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                ? Optional.of(file) : Optional.empty();
    }

    private static java.nio.file.attribute.FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.fromMillis(0);
        }
    }
}
