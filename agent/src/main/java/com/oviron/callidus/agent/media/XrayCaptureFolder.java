package com.oviron.callidus.agent.media;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.tinylog.Logger;

/**
 * Moves images the X-ray sensor software drops into the capture folder into the {@link XrayVault}: a file
 * is taken once it has been quiet (same size and modification time) for the quiet period, encrypted into
 * the vault, and only once the vault copy is fsynced is the plain file deleted; then {@code onCaptured}
 * gets the record (the agent hands it to the upload engine; the callback runs on this component's thread
 * and should only hand over).
 *
 * <p>Odd entries never stop it: directories, symbolic links, other special files, empty files, unreadable
 * files and files of a format that is no X-ray image ({@link XrayReceiver#ACCEPTED}) stay where they are, with
 * one log line each (again only if they change). Names starting with '.' are ignored (writers' temp files).
 * A file that cannot be stored (vault full, disk error) is tried again after {@link #RETRY_AFTER}.
 *
 * <p>Thread: polls on its own single thread "xray-intake".
 */
public final class XrayCaptureFolder implements AutoCloseable {
    /** How long a file that could not be stored waits before the next try. */
    public static final Duration RETRY_AFTER = Duration.ofMinutes(1);
    /** Entries looked at per poll; the rest wait for the next poll (bounded work and memory). */
    static final int MAX_ENTRIES_PER_POLL = 10_000;

    private final XrayCaptureSettings settings;
    private final XrayVault vault;
    private final Clock clock;
    private final Consumer<XrayRecord> onCaptured;
    private final ScheduledExecutorService executor;
    private final boolean ownExecutor;
    private final Map<String, Observation> seen = new HashMap<>();
    private final AtomicLong captured = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private boolean folderMissingReported;

    /** What a file looked like, since when, and whether its problem was already logged. */
    private static final class Observation {
        final long size;
        final long modified;
        final Instant since;
        String reported;
        Instant retryAt;
        /** Stored in the vault but the plain file could not be deleted: never taken twice. */
        boolean taken;

        Observation(long size, long modified, Instant since) {
            this.size = size;
            this.modified = modified;
            this.since = since;
        }
    }

    /** Counters since start. */
    public record Stats(long captured, long skipped) {
    }

    /** Polls on its own thread "xray-intake" once {@link #start()}ed. */
    public XrayCaptureFolder(XrayCaptureSettings settings, XrayVault vault, Clock clock,
                             Consumer<XrayRecord> onCaptured) {
        this(settings, vault, clock, onCaptured, Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "xray-intake");
            t.setDaemon(true);
            return t;
        }), true);
    }

    XrayCaptureFolder(XrayCaptureSettings settings, XrayVault vault, Clock clock, Consumer<XrayRecord> onCaptured,
                      ScheduledExecutorService executor, boolean ownExecutor) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.vault = Objects.requireNonNull(vault, "vault");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.onCaptured = Objects.requireNonNull(onCaptured, "onCaptured");
        this.executor = executor;
        this.ownExecutor = ownExecutor;
    }

    /** Creates the capture folder if needed and starts polling. */
    public void start() throws IOException {
        Files.createDirectories(settings.captureFolder());
        long every = settings.pollInterval().toMillis();
        executor.scheduleWithFixedDelay(this::pollSafely, 0, every, TimeUnit.MILLISECONDS);
        Logger.info("x-ray capture folder watched folder={} quietMs={} pollMs={}", settings.captureFolder(),
                settings.quietPeriod().toMillis(), every);
    }

    public Stats stats() {
        return new Stats(captured.get(), skipped.get());
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            // a periodic task that throws is never run again
            Logger.error(e, "x-ray capture poll failed");
        }
    }

    /** One look at the folder; runs on "xray-intake" (tests call it directly). */
    void poll() {
        Instant now = clock.instant();
        Set<String> present = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(settings.captureFolder())) {
            int looked = 0;
            for (Path p : entries) {
                if (++looked > MAX_ENTRIES_PER_POLL) {
                    break;
                }
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                present.add(name);
                look(p, name, now);
            }
        } catch (IOException e) {
            if (!folderMissingReported) {
                folderMissingReported = true;
                Logger.warn("x-ray capture folder unreadable, trying again at every poll folder={} error={}",
                        settings.captureFolder(), e.getMessage());
            }
            return;
        }
        if (folderMissingReported) {
            folderMissingReported = false;
            Logger.info("x-ray capture folder readable again folder={}", settings.captureFolder());
        }
        seen.keySet().retainAll(present);
    }

    private void look(Path p, String name, Instant now) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return; // gone between listing and now
        }
        Observation before = seen.get(name);
        long modified = attrs.lastModifiedTime().toMillis();
        Observation o = before;
        if (before == null || before.size != attrs.size() || before.modified != modified) {
            o = new Observation(attrs.size(), modified, now);
            seen.put(name, o);
        }
        if (attrs.isSymbolicLink()) {
            skip(o, name, "a symbolic link");
            return;
        }
        if (attrs.isDirectory()) {
            skip(o, name, "a folder");
            return;
        }
        if (!attrs.isRegularFile()) {
            skip(o, name, "not a regular file");
            return;
        }
        if (o.taken) {
            return;
        }
        if (Duration.between(o.since, now).compareTo(settings.quietPeriod()) < 0) {
            return; // still being written, or just arrived
        }
        if (o.retryAt != null && now.isBefore(o.retryAt)) {
            return;
        }
        if (attrs.size() == 0) {
            skip(o, name, "empty");
            return;
        }
        if (attrs.size() > vault.maxFileBytes()) {
            skip(o, name, "larger than the vault takes (" + attrs.size() + " > " + vault.maxFileBytes() + " bytes)");
            return;
        }
        if (!Files.isReadable(p)) {
            skip(o, name, "unreadable");
            return;
        }
        try {
            if (XrayReceiver.xrayFormat(p).isEmpty()) {
                skip(o, name, "not an x-ray image format (accepted: " + XrayReceiver.acceptedList() + ")");
                return;
            }
        } catch (IOException e) {
            skip(o, name, "unreadable: " + e.getMessage());
            return;
        }
        intake(p, name, o, now);
    }

    private void intake(Path p, String name, Observation o, Instant now) {
        XrayRecord record;
        try {
            record = vault.store(p, name, XrayRecord.Direction.OUT);
        } catch (XrayVaultException e) {
            o.retryAt = now.plus(RETRY_AFTER);
            Logger.error("x-ray capture not stored, kept in the capture folder retryInSeconds={} error={}",
                    RETRY_AFTER.toSeconds(), e.getMessage());
            return;
        }
        try {
            BasicFileAttributes after = Files.readAttributes(p, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (after.size() != o.size || after.lastModifiedTime().toMillis() != o.modified) {
                // written to again while it was stored: take the newer content at the next quiet moment
                vault.delete(record.id());
                seen.remove(name);
                Logger.warn("x-ray capture changed while it was stored, taken again later id={}", record.id());
                return;
            }
            Files.delete(p);
            DurableFiles.LOCAL.syncFolder(settings.captureFolder());
            seen.remove(name);
        } catch (IOException | XrayVaultException e) {
            // the vault copy is safe; remember the plain file so it is not taken a second time
            o.taken = true;
            Logger.error("x-ray capture stored but the plain file not deleted id={} error={}", record.id(),
                    e.getMessage());
        }
        captured.incrementAndGet();
        Logger.info("x-ray captured id={} bytes={}", record.id(), record.size());
        try {
            onCaptured.accept(record);
        } catch (RuntimeException e) {
            Logger.error(e, "x-ray capture callback failed id={}", record.id());
        }
    }

    private void skip(Observation o, String name, String why) {
        if (!why.equals(o.reported)) {
            o.reported = why;
            skipped.incrementAndGet();
            Logger.warn("x-ray capture folder entry skipped reason={} entry={}", why, name);
        }
    }

    /** Stops polling (an intake under way finishes first). */
    @Override
    public void close() {
        if (ownExecutor) {
            executor.shutdown();
            try {
                if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                    executor.shutdownNow();
                }
            } catch (InterruptedException e) {
                executor.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }
}
