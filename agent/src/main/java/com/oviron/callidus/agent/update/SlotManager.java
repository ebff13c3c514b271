package com.oviron.callidus.agent.update;

import com.oviron.callidus.store.state.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.tinylog.Logger;

/**
 * The A/B slot layout under a root folder (docs/updates.md, "Slots"):
 *
 * <pre>
 * &lt;root&gt;/slots/a/, &lt;root&gt;/slots/b/   one release each
 * &lt;root&gt;/current -&gt; slots/a            symlink, what the launcher starts
 * &lt;root&gt;/update.state                  {@link SlotState}, the single source of truth
 * </pre>
 *
 * The state file decides; {@code current} follows it (switched atomically by rename of a new symlink) and the
 * launcher repairs it at every start. Every change of the state file is atomic, so a power cut at any moment
 * leaves either the old or the new state. Thread-safe (one lock).
 */
public final class SlotManager {
    public static final String STATE_FILE = "update.state";
    public static final String CURRENT = "current";

    /** Told after each file is written, so a caller can report progress. */
    @FunctionalInterface
    public interface InstallProgress {
        void fileWritten(ManifestFile file, int index, int count);
    }

    private final Path root;
    private SlotState state;
    /** The manifest whose files {@link #install} completed in the inactive slot, until a trial begins. */
    private Manifest ready;

    private SlotManager(Path root, SlotState state) {
        this.root = root;
        this.state = state;
    }

    /** Opens an initialised root; fails if there is no valid state file. */
    public static SlotManager open(Path root) throws IOException {
        Path file = root.resolve(STATE_FILE);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("no update state at " + file + " (the slots are not set up)", e);
        }
        try {
            return new SlotManager(root, SlotState.decode(text));
        } catch (IllegalArgumentException e) {
            throw new IOException("update state " + file + " is not valid: " + e.getMessage(), e);
        }
    }

    public static boolean isInitialized(Path root) {
        return Files.isRegularFile(root.resolve(STATE_FILE));
    }

    /**
     * Sets up a root whose slot {@code slot} already holds {@code version} (a factory install): creates both
     * slot folders, points {@code current} at {@code slot} and writes the state. Refuses an initialised root.
     */
    public static SlotManager initialize(Path root, String slot, Version version, long securityVersion)
            throws IOException {
        if (isInitialized(root)) {
            throw new IOException("the update root " + root + " is already set up");
        }
        Files.createDirectories(root.resolve("slots").resolve("a"));
        Files.createDirectories(root.resolve("slots").resolve("b"));
        DurableFiles.syncFolder(root.resolve("slots"));
        SlotState s = new SlotState(slot, version, securityVersion, Optional.empty(), Optional.empty());
        SlotManager m = new SlotManager(root, s);
        m.pointCurrentAt(slot);
        m.save(s);
        return m;
    }

    public Path root() {
        return root;
    }

    public synchronized SlotState state() {
        return state;
    }

    public Path slotFolder(String slot) {
        return root.resolve("slots").resolve(slot);
    }

    /** The committed release and the security floor, for the verifier. */
    public synchronized InstalledRelease installed() {
        return new InstalledRelease(state.committedVersion(), state.securityFloor());
    }

    /** Bytes free on the slots' file system plus what the inactive slot holds now (it is emptied first). */
    public long availableBytes() {
        try {
            long free = Files.getFileStore(root.resolve("slots")).getUsableSpace();
            return free + sizeOf(slotFolder(state().inactiveSlot()));
        } catch (IOException e) {
            Logger.warn("cannot tell the free space of the update root root={} error={}", root, e.getMessage());
            return 0;
        }
    }

    /**
     * Writes the package's files into the inactive slot: empties it, writes every file (bounded by its declared
     * size, hashed while written, fsynced), fsyncs the folders, then reads every file back and checks its
     * hash. Does not change the state: a crash here leaves the committed slot in charge.
     *
     * @param cancelled checked between files; when true the install stops with {@link InterruptedException}
     */
    public void install(VerifiedPackage pkg, InstallProgress progress, BooleanSupplier cancelled)
            throws PackageRejectedException, InterruptedException {
        String slot;
        synchronized (this) {
            if (state.trial().isPresent()) {
                throw new PackageRejectedException(RejectReason.IO_ERROR, "a trial of slot " + state.trial().get().slot()
                        + " is pending; install again after it is committed or rolled back");
            }
            slot = state.inactiveSlot();
            ready = null;
        }
        Path folder = slotFolder(slot);
        List<ManifestFile> files = pkg.manifest().files();
        try {
            deleteContents(folder);
            Files.createDirectories(folder);
            Set<Path> folders = new LinkedHashSet<>();
            folders.add(folder);
            try (FileChannel in = FileChannel.open(pkg.file(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                long position = pkg.payloadOffset();
                for (int i = 0; i < files.size(); i++) {
                    if (cancelled.getAsBoolean()) {
                        throw new InterruptedException("install cancelled");
                    }
                    ManifestFile f = files.get(i);
                    Path target = folder.resolve(f.path());
                    if (!target.normalize().startsWith(folder)) {
                        throw new PackageRejectedException(RejectReason.UNSAFE_PATH, f.path() + " leaves the slot");
                    }
                    Path parent = target.getParent();
                    for (Path p = parent; !p.equals(folder); p = p.getParent()) {
                        folders.add(p);
                    }
                    Files.createDirectories(parent);
                    position = copy(in, position, f, target);
                    progress.fileWritten(f, i + 1, files.size());
                }
                if (position != in.size()) {
                    throw new PackageRejectedException(RejectReason.TRAILING_DATA, "the package changed: "
                            + (in.size() - position) + " bytes after the last file");
                }
            }
            List<Path> deepestFirst = new ArrayList<>(folders);
            deepestFirst.sort((x, y) -> y.getNameCount() - x.getNameCount());
            for (Path p : deepestFirst) {
                DurableFiles.syncFolder(p);
            }
            DurableFiles.syncFolder(folder.getParent());
            for (ManifestFile f : files) {
                if (!MessageDigest.isEqual(UpdatePackageBuilder.sha256Hex(folder.resolve(f.path()))
                        .getBytes(StandardCharsets.US_ASCII), f.sha256().getBytes(StandardCharsets.US_ASCII))) {
                    throw new PackageRejectedException(RejectReason.HASH_MISMATCH, "the installed " + f.path()
                            + " does not read back with its SHA-256");
                }
            }
            synchronized (this) {
                ready = pkg.manifest();
            }
        } catch (IOException e) {
            throw new PackageRejectedException(RejectReason.IO_ERROR, "cannot write slot " + slot + ": "
                    + e.getMessage(), e);
        }
    }

    private static long copy(FileChannel in, long position, ManifestFile f, Path target)
            throws IOException, PackageRejectedException {
        MessageDigest digest = UpdatePackageVerifier.sha256();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            long left = f.size();
            while (left > 0) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), left));
                int n = in.read(buffer, position);
                if (n < 0) {
                    throw new PackageRejectedException(RejectReason.TRUNCATED, "the package ended inside " + f.path());
                }
                digest.update(buffer.array(), 0, n);
                buffer.flip();
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                position += n;
                left -= n;
            }
            out.force(true);
        }
        if (!MessageDigest.isEqual(digest.digest(), f.sha256Bytes())) {
            throw new PackageRejectedException(RejectReason.HASH_MISMATCH, "the bytes of " + f.path()
                    + " do not match its SHA-256 (the package changed after it was verified)");
        }
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(f.executable() ? "rwxr-xr-x" : "rw-r--r--"));
        return position;
    }

    /**
     * Records the inactive slot as the trial of {@code manifest}'s release, then points {@code current} at
     * it. The state write is the point of no return: after it the launcher starts the trial.
     *
     * @throws IllegalStateException unless {@link #install} of this manifest has just completed
     */
    public synchronized void beginTrial(Manifest manifest, long nowMillis) throws IOException {
        if (state.trial().isPresent()) {
            throw new IllegalStateException("a trial is already pending");
        }
        if (ready == null || !ready.equals(manifest)) {
            throw new IllegalStateException("the inactive slot holds no complete install of " + manifest.version());
        }
        String slot = state.inactiveSlot();
        ready = null;
        save(state.withTrial(Optional.of(new SlotState.Trial(slot, manifest.version(), manifest.securityVersion(),
                nowMillis, 0))));
        pointCurrentAt(slot);
        Logger.info("update trial begins slot={} version={}", slot, manifest.version());
    }

    /** Makes the trial the committed release and raises the security floor; {@code current} stays. */
    public synchronized void commit(long nowMillis) throws IOException {
        SlotState.Trial t = state.trial().orElseThrow(() -> new IllegalStateException("no trial to commit"));
        SlotState next = new SlotState(t.slot(), t.version(), Math.max(state.securityFloor(), t.securityVersion()),
                Optional.empty(), Optional.of(new SlotState.LastResult("committed", t.version(),
                "health check passed", nowMillis, false)));
        save(next);
        pointCurrentAt(t.slot());
        Logger.info("update committed slot={} version={} securityVersion={}", t.slot(), t.version(),
                next.securityFloor());
    }

    /** Drops the trial and points {@code current} back at the committed slot. */
    public synchronized void rollback(String reason, long nowMillis) throws IOException {
        SlotState.Trial t = state.trial().orElseThrow(() -> new IllegalStateException("no trial to roll back"));
        save(state.withTrial(Optional.empty()).withLast(new SlotState.LastResult("rolled-back", t.version(), reason,
                nowMillis, false)));
        pointCurrentAt(state.committedSlot());
        Logger.warn("update rolled back slot={} version={} reason={} running={}", t.slot(), t.version(), reason,
                state.committedVersion());
    }

    /**
     * Records a failed attempt that never reached a trial (the committed slot stays in charge); it was reported
     * when it happened.
     */
    public synchronized void recordFailure(Version version, String reason, long nowMillis) throws IOException {
        save(state.withLast(new SlotState.LastResult("failed", version, reason, nowMillis, true)));
    }

    /** Notes that the last result reached the cloud. */
    public synchronized void markReported() throws IOException {
        if (state.last().isPresent() && !state.last().get().reported()) {
            SlotState.LastResult r = state.last().get();
            save(state.withLast(new SlotState.LastResult(r.outcome(), r.version(), r.reason(), r.atMillis(), true)));
        }
    }

    /** Re-reads the state file (the launcher may have changed it before this process started). */
    public synchronized SlotState reload() throws IOException {
        state = open(root).state();
        return state;
    }

    /** Where {@code current} points now ("a", "b", or empty if it is missing or points elsewhere). */
    public Optional<String> currentSlot() {
        try {
            String target = Files.readSymbolicLink(root.resolve(CURRENT)).toString();
            return switch (target) {
                case "slots/a" -> Optional.of("a");
                case "slots/b" -> Optional.of("b");
                default -> Optional.empty();
            };
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    private void save(SlotState next) throws IOException {
        DurableFiles.replace(root.resolve(STATE_FILE), next.encode());
        state = next;
    }

    /** New symlink beside {@code current}, renamed over it: readers see the old or the new target, never none. */
    private void pointCurrentAt(String slot) throws IOException {
        Path tmp = root.resolve(CURRENT + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, Path.of("slots", slot));
        Files.move(tmp, root.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DurableFiles.syncFolder(root);
    }

    /** Empties a folder without following symbolic links out of it. */
    private static void deleteContents(Path folder) throws IOException {
        if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(folder);
            return;
        }
        Files.walkFileTree(folder, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                if (!dir.equals(folder)) {
                    Files.delete(dir);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static long sizeOf(Path folder) throws IOException {
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        long[] total = {0};
        Files.walkFileTree(folder, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                total[0] += attrs.size();
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

}
