package com.oviron.callidus.agent.media;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.cloud.files.FileKind;
import com.oviron.callidus.cloud.files.FileRejectedException;
import com.oviron.callidus.cloud.files.ReceivedFileHandler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import org.tinylog.Logger;

/**
 * Installs a logo or screen saver that arrived from the cloud into the folder the unit's UI reads, after
 * {@link DisplayImageValidator} has accepted it, and keeps the image it replaces for {@link #rollback}.
 *
 * <p>Files in the display folder: {@code logo.png}, {@code logo.previous.png}, {@code screensaver.png},
 * {@code screensaver.previous.png} (the content is PNG or JPEG whatever the name: the UI decodes by content),
 * and while an install runs {@code .logo.png.tmp} and {@code .logo.previous.png.tmp}.
 *
 * <p>Crash safety: the new image and the copy of the current one are written and fsynced as temp files; the
 * rename of the new image over the current one is the single commit point; then the copy is renamed over
 * the previous one. A crash before the commit leaves everything as it was; after it, start-up finishes the
 * previous-image rename ({@link #recover}). The UI never sees a partial file.
 *
 * <p>What the unit remembers about each image (original name, install time) sits in
 * {@code <stateFolder>/display-meta/<sha256>.json}, written before the image so an installed image always
 * has it. Thread-safe: installs and rollbacks run one at a time.
 */
public final class DisplayImageInstaller implements ReceivedFileHandler {
    private static final Pattern META_NAME = Pattern.compile("[0-9a-f]{64}\\.json");

    private final Path folder;
    private final Path metaFolder;
    private final DisplayImageValidator validator;
    private final DurableFiles files;
    private final Clock clock;

    /** Creates the folders if needed and finishes or undoes an install a crash interrupted. */
    public DisplayImageInstaller(DisplaySettings settings, Clock clock) throws IOException {
        this(settings, clock, DurableFiles.LOCAL);
    }

    DisplayImageInstaller(DisplaySettings settings, Clock clock, DurableFiles files) throws IOException {
        this.folder = settings.displayFolder();
        this.metaFolder = settings.stateFolder().resolve("display-meta");
        this.validator = new DisplayImageValidator(settings.spec());
        this.files = files;
        this.clock = clock;
        Files.createDirectories(folder);
        Files.createDirectories(metaFolder);
        recover();
    }

    /** The two kinds this installer takes. */
    public static boolean handles(FileKind kind) {
        return kind == FileKind.LOGO || kind == FileKind.SCREENSAVER;
    }

    @Override
    public void accept(FileKind kind, String name, Path verifiedFile) throws FileRejectedException {
        if (!handles(kind)) {
            throw new FileRejectedException("the display installer takes logo and screensaver files, not "
                    + kind.wire());
        }
        ValidatedImage image;
        try {
            image = validator.validate(kind, verifiedFile);
        } catch (FileRejectedException e) {
            Logger.warn("display image refused kind={} name={} reason={}", kind.wire(), name, e.getMessage());
            throw e;
        }
        synchronized (this) {
            try {
                writeMeta(image, name);
                try (InputStream in = Files.newInputStream(verifiedFile)) {
                    replace(kind, in, Optional.of(image.sha256()));
                }
            } catch (IOException e) {
                Logger.error("display image not installed kind={} name={} error={}", kind.wire(), name,
                        e.getMessage());
                throw new FileRejectedException("the unit could not install it: " + e.getMessage(), e);
            }
            pruneMeta();
        }
        Logger.info("display image installed kind={} name={} format={} width={} height={} bytes={} sha256={}",
                kind.wire(), name, image.format().wire(), image.width(), image.height(), image.size(),
                image.sha256());
    }

    /**
     * Swaps the current and the previous image of a kind; after it, the one replaced is the previous one
     * (a second rollback undoes the first).
     *
     * @return the image now shown
     * @throws NoPreviousImageException when there is nothing to roll back to
     */
    public synchronized InstalledImage rollback(FileKind kind) throws NoPreviousImageException, IOException {
        requireDisplayKind(kind);
        Path current = currentFile(kind);
        Path previous = previousFile(kind);
        if (!Files.isRegularFile(previous)) {
            throw new NoPreviousImageException("there is no previous " + kind.wire() + " to roll back to");
        }
        if (!Files.isRegularFile(current)) {
            throw new NoPreviousImageException("there is no current " + kind.wire() + " to roll back from");
        }
        try (InputStream in = Files.newInputStream(previous)) {
            replace(kind, in, Optional.empty());
        }
        InstalledImage now = describe(current).orElseThrow(() -> new IOException("rolled-back image vanished"));
        Logger.info("display image rolled back kind={} name={} sha256={}", kind.wire(), now.name(), now.sha256());
        return now;
    }

    /** The image shown now, if any. */
    public synchronized Optional<InstalledImage> installed(FileKind kind) throws IOException {
        requireDisplayKind(kind);
        return describe(currentFile(kind));
    }

    /** The image a rollback would bring back, if any. */
    public synchronized Optional<InstalledImage> previous(FileKind kind) throws IOException {
        requireDisplayKind(kind);
        return describe(previousFile(kind));
    }

    /** Where the UI reads the current image of a kind. */
    public Path currentFile(FileKind kind) {
        return folder.resolve(base(kind) + ".png");
    }

    /** Where the rollback copy of a kind is kept. */
    public Path previousFile(FileKind kind) {
        return folder.resolve(base(kind) + ".previous.png");
    }

    private Path tempCurrent(FileKind kind) {
        return folder.resolve("." + base(kind) + ".png.tmp");
    }

    private Path tempPrevious(FileKind kind) {
        return folder.resolve("." + base(kind) + ".previous.png.tmp");
    }

    private static String base(FileKind kind) {
        return kind.wire();
    }

    private static void requireDisplayKind(FileKind kind) {
        if (!handles(kind)) {
            throw new IllegalArgumentException("not a display image kind: " + kind.wire());
        }
    }

    /**
     * The one sequence for install and rollback: temp copies, commit rename, previous rename.
     *
     * @param expectedSha256 what the new content was validated as: the copy must be exactly that
     */
    private void replace(FileKind kind, InputStream newContent, Optional<String> expectedSha256)
            throws IOException {
        Path current = currentFile(kind);
        Path tmpCurrent = tempCurrent(kind);
        Path tmpPrevious = tempPrevious(kind);
        boolean committed = false;
        try {
            // the copy of the replaced image goes first, always: a copy left without the new image beside it
            // is what start-up takes for a committed install (recover)
            files.deleteIfExists(tmpPrevious);
            files.deleteIfExists(tmpCurrent);
            files.writeNew(tmpCurrent, newContent);
            if (expectedSha256.isPresent()
                    && !expectedSha256.get().equals(DisplayImageValidator.sha256(tmpCurrent))) {
                throw new IOException("the file changed after it was checked");
            }
            setModified(tmpCurrent);
            boolean hadCurrent = Files.isRegularFile(current);
            if (hadCurrent) {
                try (InputStream old = Files.newInputStream(current)) {
                    files.writeNew(tmpPrevious, old);
                }
            }
            files.rename(tmpCurrent, current);
            committed = true;
            if (hadCurrent) {
                files.rename(tmpPrevious, previousFile(kind));
            }
            files.syncFolder(folder);
        } catch (IOException e) {
            if (committed) {
                // the new image is in place; only the rollback copy or durability of the renames is at risk
                Logger.warn("display image in place but not fully settled kind={} error={}", kind.wire(),
                        e.getMessage());
                return;
            }
            cleanTemps(kind);
            throw e;
        }
    }

    private void setModified(Path file) throws IOException {
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(clock.instant()));
    }

    private void cleanTemps(FileKind kind) {
        try {
            files.deleteIfExists(tempPrevious(kind));
            files.deleteIfExists(tempCurrent(kind));
        } catch (IOException e) {
            Logger.warn("display temp file not removed kind={} error={}", kind.wire(), e.getMessage());
        }
    }

    /**
     * After a crash: a copy of the replaced image without its new image beside it means the commit rename
     * happened, so the copy becomes the previous image; any other temp file is an install that never
     * happened and is removed.
     */
    void recover() throws IOException {
        for (FileKind kind : new FileKind[] {FileKind.LOGO, FileKind.SCREENSAVER}) {
            Path tmpCurrent = tempCurrent(kind);
            Path tmpPrevious = tempPrevious(kind);
            if (Files.exists(tmpPrevious) && !Files.exists(tmpCurrent)) {
                files.rename(tmpPrevious, previousFile(kind));
                Logger.info("display install finished after a restart kind={}", kind.wire());
            } else if (Files.exists(tmpCurrent) || Files.exists(tmpPrevious)) {
                files.deleteIfExists(tmpPrevious);
                files.deleteIfExists(tmpCurrent);
                Logger.info("display install undone after a restart kind={}", kind.wire());
            }
        }
        files.syncFolder(folder);
        try (DirectoryStream<Path> s = Files.newDirectoryStream(metaFolder, "*.tmp")) {
            for (Path p : s) {
                files.deleteIfExists(p);
            }
        }
    }

    private void writeMeta(ValidatedImage image, String name) throws IOException {
        JsonObject meta = new JsonObject();
        meta.addProperty("name", name.length() > 255 ? name.substring(0, 255) : name);
        meta.addProperty("format", image.format().wire());
        meta.addProperty("width", image.width());
        meta.addProperty("height", image.height());
        meta.addProperty("installedAt", clock.millis());
        Path target = metaFolder.resolve(image.sha256() + ".json");
        Path tmp = metaFolder.resolve(image.sha256() + ".json.tmp");
        files.deleteIfExists(tmp);
        files.writeNew(tmp, new ByteArrayInputStream(meta.toString().getBytes(StandardCharsets.UTF_8)));
        files.rename(tmp, target);
        files.syncFolder(metaFolder);
    }

    /** Keeps only the notes of the (at most four) images in the display folder. */
    private void pruneMeta() {
        try {
            Set<String> keep = new HashSet<>();
            for (FileKind kind : new FileKind[] {FileKind.LOGO, FileKind.SCREENSAVER}) {
                for (Path p : new Path[] {currentFile(kind), previousFile(kind)}) {
                    if (Files.isRegularFile(p)) {
                        keep.add(DisplayImageValidator.sha256(p) + ".json");
                    }
                }
            }
            try (DirectoryStream<Path> s = Files.newDirectoryStream(metaFolder)) {
                for (Path p : s) {
                    String n = p.getFileName().toString();
                    if (META_NAME.matcher(n).matches() && !keep.contains(n)) {
                        files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            Logger.warn("display notes not pruned error={}", e.getMessage());
        }
    }

    private Optional<InstalledImage> describe(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        long size = Files.size(file);
        String sha256 = DisplayImageValidator.sha256(file);
        Path metaFile = metaFolder.resolve(sha256 + ".json");
        if (Files.isRegularFile(metaFile)) {
            try {
                JsonObject meta = JsonParser.parseString(Files.readString(metaFile)).getAsJsonObject();
                Optional<ImageFormat> format = ImageFormat.fromWire(meta.get("format").getAsString());
                if (format.isPresent()) {
                    return Optional.of(new InstalledImage(meta.get("name").getAsString(), size, sha256, format.get(),
                            meta.get("width").getAsInt(), meta.get("height").getAsInt(),
                            Instant.ofEpochMilli(meta.get("installedAt").getAsLong())));
                }
            } catch (RuntimeException e) {
                Logger.warn("display note unreadable, described from the file file={} error={}", metaFile,
                        e.getMessage());
            }
        }
        // no note (placed by hand, or the note was lost): describe it from the file itself
        ImageFormat format = ImageFormat.sniff(DisplayImageValidator.readHead(file))
                .orElseThrow(() -> new IOException(file + " is not an image the unit knows"));
        int width = 0;
        int height = 0;
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.wire());
        if (readers.hasNext()) {
            ImageReader reader = readers.next();
            try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
                reader.setInput(in, true, true);
                width = reader.getWidth(0);
                height = reader.getHeight(0);
            } catch (IOException | RuntimeException e) {
                Logger.warn("display image header unreadable file={} error={}", file, e.getMessage());
            } finally {
                reader.dispose();
            }
        }
        return Optional.of(new InstalledImage(file.getFileName().toString(), size, sha256, format, width, height,
                Files.getLastModifiedTime(file).toInstant()));
    }
}
