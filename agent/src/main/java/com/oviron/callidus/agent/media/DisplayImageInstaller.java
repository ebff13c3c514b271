package com.oviron.callidus.agent.media;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.cloud.files.FileKind;
import com.oviron.callidus.cloud.files.FileRejectedException;
import com.oviron.callidus.cloud.files.ReceivedFileHandler;
import com.oviron.callidus.store.folders.ConfinedFolder;
import com.oviron.callidus.store.folders.FolderGuard;
import com.oviron.callidus.store.folders.UnsafeEntryException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
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
 *
 * <p>The display folder is the UI's: every file in it is used through a {@link ConfinedFolder}. An image
 * that is a symbolic link, a FIFO, or a file with a second hard link is never read: it is not copied to
 * the previous image, not rolled back to and not described; an install replaces such an entry (the entry
 * itself, never what a link points to).
 */
public final class DisplayImageInstaller implements ReceivedFileHandler {
    private static final Pattern META_NAME = Pattern.compile("[0-9a-f]{64}\\.json");
    private static final long META_MAX_BYTES = 64 * 1024;

    private final ConfinedFolder folder;
    private final ConfinedFolder metaFolder;
    private final DisplayImageValidator validator;
    private final DurableFiles files;
    private final Clock clock;
    private final long maxImageBytes;

    /** Creates the folders if needed and finishes or undoes an install a crash interrupted. */
    public DisplayImageInstaller(DisplaySettings settings, Clock clock, FolderGuard guard) throws IOException {
        this(settings, clock, guard, DurableFiles.LOCAL);
    }

    DisplayImageInstaller(DisplaySettings settings, Clock clock, FolderGuard guard, DurableFiles files)
            throws IOException {
        this.folder = ConfinedFolder.of(settings.displayFolder(), "display", guard);
        this.metaFolder = ConfinedFolder.of(settings.stateFolder().resolve("display-meta"), "display notes", guard);
        this.validator = new DisplayImageValidator(settings.spec());
        this.maxImageBytes = settings.spec().maxBytes();
        this.files = files;
        this.clock = clock;
        folder.create();
        metaFolder.create();
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
                try (InputStream in = Files.newInputStream(verifiedFile, LinkOption.NOFOLLOW_LINKS)) {
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
     * @throws NoPreviousImageException when there is nothing to roll back to (or the previous image is not a
     *                                  plain file of its own: a link, a FIFO, a second hard link)
     */
    public synchronized InstalledImage rollback(FileKind kind) throws NoPreviousImageException, IOException {
        requireDisplayKind(kind);
        if (folder.entry(previousName(kind)).isEmpty()) {
            throw new NoPreviousImageException("there is no previous " + kind.wire() + " to roll back to");
        }
        if (!isFile(currentName(kind))) {
            throw new NoPreviousImageException("there is no current " + kind.wire() + " to roll back from");
        }
        ConfinedFolder.OpenFile previous;
        try {
            previous = folder.open(previousName(kind), maxImageBytes);
        } catch (NoSuchFileException e) {
            throw new NoPreviousImageException("there is no previous " + kind.wire() + " to roll back to");
        } catch (UnsafeEntryException e) {
            throw new NoPreviousImageException("the previous " + kind.wire() + " is not used: " + e.reason());
        }
        try (InputStream in = previous.stream()) {
            replace(kind, in, Optional.empty());
        }
        InstalledImage now = describe(currentName(kind)).orElseThrow(() -> new IOException(
                "rolled-back image vanished"));
        Logger.info("display image rolled back kind={} name={} sha256={}", kind.wire(), now.name(), now.sha256());
        return now;
    }

    /** The image shown now, if any (not a plain file of its own: none). */
    public synchronized Optional<InstalledImage> installed(FileKind kind) throws IOException {
        requireDisplayKind(kind);
        return describe(currentName(kind));
    }

    /** The image a rollback would bring back, if any. */
    public synchronized Optional<InstalledImage> previous(FileKind kind) throws IOException {
        requireDisplayKind(kind);
        return describe(previousName(kind));
    }

    /** The display folder, for those who read the images (the logo backup). */
    public ConfinedFolder folder() {
        return folder;
    }

    /** Where the UI reads the current image of a kind. */
    public Path currentFile(FileKind kind) {
        return folder.pathOf(currentName(kind));
    }

    /** Where the rollback copy of a kind is kept. */
    public Path previousFile(FileKind kind) {
        return folder.pathOf(previousName(kind));
    }

    /** The name of the current image of a kind in the display folder. */
    public static String currentName(FileKind kind) {
        return kind.wire() + ".png";
    }

    private static String previousName(FileKind kind) {
        return kind.wire() + ".previous.png";
    }

    private static String tempCurrent(FileKind kind) {
        return "." + kind.wire() + ".png.tmp";
    }

    private static String tempPrevious(FileKind kind) {
        return "." + kind.wire() + ".previous.png.tmp";
    }

    private static void requireDisplayKind(FileKind kind) {
        if (!handles(kind)) {
            throw new IllegalArgumentException("not a display image kind: " + kind.wire());
        }
    }

    private boolean isFile(String name) throws IOException {
        return folder.entry(name).map(e -> e.type() == ConfinedFolder.Type.FILE).orElse(false);
    }

    /**
     * The one sequence for install and rollback: temp copies, commit rename, previous rename.
     *
     * @param expectedSha256 what the new content was validated as: the copy must be exactly that
     */
    private void replace(FileKind kind, InputStream newContent, Optional<String> expectedSha256)
            throws IOException {
        String tmpCurrent = tempCurrent(kind);
        String tmpPrevious = tempPrevious(kind);
        boolean committed = false;
        try {
            // the copy of the replaced image goes first, always: a copy left without the new image beside it
            // is what start-up takes for a committed install (recover)
            files.deleteIfExists(folder, tmpPrevious);
            files.deleteIfExists(folder, tmpCurrent);
            files.writeNew(folder, tmpCurrent, newContent);
            if (expectedSha256.isPresent()) {
                try (ConfinedFolder.OpenFile written = folder.open(tmpCurrent, Long.MAX_VALUE)) {
                    if (!expectedSha256.get().equals(Sha256.hex(written.channel()))) {
                        throw new IOException("the file changed after it was checked");
                    }
                }
            }
            folder.setModified(tmpCurrent, FileTime.from(clock.instant()));
            boolean hadCurrent = copyCurrent(kind, tmpPrevious);
            files.rename(folder, tmpCurrent, currentName(kind));
            committed = true;
            if (hadCurrent) {
                files.rename(folder, tmpPrevious, previousName(kind));
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

    /**
     * Copies the current image into {@code tmpPrevious}; false when there is none, or when it is not a plain
     * file of its own (a link is replaced by the install, never read; the older previous image stays).
     */
    private boolean copyCurrent(FileKind kind, String tmpPrevious) throws IOException {
        ConfinedFolder.OpenFile current;
        try {
            current = folder.open(currentName(kind), Long.MAX_VALUE);
        } catch (NoSuchFileException e) {
            return false;
        } catch (UnsafeEntryException e) {
            Logger.warn("display image replaced without keeping it as the previous one kind={} reason={}",
                    kind.wire(), e.reason());
            return false;
        }
        try (InputStream old = current.stream()) {
            files.writeNew(folder, tmpPrevious, old);
        }
        return true;
    }

    private void cleanTemps(FileKind kind) {
        try {
            files.deleteIfExists(folder, tempPrevious(kind));
            files.deleteIfExists(folder, tempCurrent(kind));
        } catch (IOException e) {
            Logger.warn("display temp file not removed kind={} error={}", kind.wire(), e.getMessage());
        }
    }

    /**
     * After a crash: a copy of the replaced image without its new image beside it means the commit rename
     * happened, so the copy becomes the previous image; any other temp file is an install that never
     * happened and is removed (whatever it is: a link or a FIFO in place of a temp file is removed too).
     */
    void recover() throws IOException {
        for (FileKind kind : new FileKind[] {FileKind.LOGO, FileKind.SCREENSAVER}) {
            Optional<ConfinedFolder.Entry> tmpCurrent = folder.entry(tempCurrent(kind));
            Optional<ConfinedFolder.Entry> tmpPrevious = folder.entry(tempPrevious(kind));
            if (tmpPrevious.isPresent() && tmpPrevious.get().type() == ConfinedFolder.Type.FILE
                    && tmpCurrent.isEmpty()) {
                files.rename(folder, tempPrevious(kind), previousName(kind));
                Logger.info("display install finished after a restart kind={}", kind.wire());
            } else if (tmpCurrent.isPresent() || tmpPrevious.isPresent()) {
                files.deleteIfExists(folder, tempPrevious(kind));
                files.deleteIfExists(folder, tempCurrent(kind));
                Logger.info("display install undone after a restart kind={}", kind.wire());
            }
        }
        files.syncFolder(folder);
        for (ConfinedFolder.Entry e : metaFolder.list("", 10_000)) {
            if (e.name().endsWith(".tmp")) {
                files.deleteIfExists(metaFolder, e.name());
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
        String target = image.sha256() + ".json";
        String tmp = image.sha256() + ".json.tmp";
        files.deleteIfExists(metaFolder, tmp);
        files.writeNew(metaFolder, tmp, new ByteArrayInputStream(meta.toString().getBytes(StandardCharsets.UTF_8)));
        files.rename(metaFolder, tmp, target);
        files.syncFolder(metaFolder);
    }

    /** Keeps only the notes of the (at most four) images in the display folder. */
    private void pruneMeta() {
        try {
            Set<String> keep = new HashSet<>();
            for (FileKind kind : new FileKind[] {FileKind.LOGO, FileKind.SCREENSAVER}) {
                for (String n : new String[] {currentName(kind), previousName(kind)}) {
                    sha256(n).ifPresent(sha -> keep.add(sha + ".json"));
                }
            }
            for (ConfinedFolder.Entry e : metaFolder.list("", 10_000)) {
                if (META_NAME.matcher(e.name()).matches() && !keep.contains(e.name())) {
                    files.deleteIfExists(metaFolder, e.name());
                }
            }
        } catch (IOException | UncheckedIOException e) {
            Logger.warn("display notes not pruned error={}", e.getMessage());
        }
    }

    /** The SHA-256 of an image in the display folder; empty when absent or refused. */
    private Optional<String> sha256(String name) throws IOException {
        try (ConfinedFolder.OpenFile f = folder.open(name, Long.MAX_VALUE)) {
            return Optional.of(Sha256.hex(f.channel()));
        } catch (NoSuchFileException | UnsafeEntryException e) {
            return Optional.empty();
        }
    }

    private Optional<InstalledImage> describe(String name) throws IOException {
        ConfinedFolder.OpenFile file;
        try {
            file = folder.open(name, Long.MAX_VALUE);
        } catch (NoSuchFileException | UnsafeEntryException e) {
            return Optional.empty();
        }
        try (file) {
            long size = file.entry().size();
            String sha256 = Sha256.hex(file.channel());
            Optional<InstalledImage> noted = fromNote(sha256, size);
            if (noted.isPresent()) {
                return noted;
            }
            // no note (placed by hand, or the note was lost): describe it from the file itself
            ImageFormat format = ImageFormat.sniff(Sha256.head(file.channel()))
                    .orElseThrow(() -> new IOException(folder.pathOf(name) + " is not an image the unit knows"));
            int width = 0;
            int height = 0;
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.wire());
            if (readers.hasNext()) {
                ImageReader reader = readers.next();
                file.channel().position(0);
                try (ImageInputStream in = new MemoryCacheImageInputStream(file.stream())) {
                    reader.setInput(in, true, true);
                    width = reader.getWidth(0);
                    height = reader.getHeight(0);
                } catch (IOException | RuntimeException e) {
                    Logger.warn("display image header unreadable file={} error={}", name, e.getMessage());
                } finally {
                    reader.dispose();
                }
            }
            return Optional.of(new InstalledImage(name, size, sha256, format, width, height,
                    file.entry().modified().toInstant()));
        }
    }

    private Optional<InstalledImage> fromNote(String sha256, long size) throws IOException {
        byte[] note;
        try {
            note = metaFolder.read(sha256 + ".json", META_MAX_BYTES);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            JsonObject meta = JsonParser.parseString(new String(note, StandardCharsets.UTF_8)).getAsJsonObject();
            Optional<ImageFormat> format = ImageFormat.fromWire(meta.get("format").getAsString());
            if (format.isPresent()) {
                return Optional.of(new InstalledImage(meta.get("name").getAsString(), size, sha256, format.get(),
                        meta.get("width").getAsInt(), meta.get("height").getAsInt(),
                        Instant.ofEpochMilli(meta.get("installedAt").getAsLong())));
            }
        } catch (RuntimeException e) {
            Logger.warn("display note unreadable, described from the file file={} error={}", sha256 + ".json",
                    e.getMessage());
        }
        return Optional.empty();
    }
}
