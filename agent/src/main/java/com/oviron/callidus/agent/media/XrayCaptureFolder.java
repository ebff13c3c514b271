package com.oviron.callidus.agent.media;

import com.oviron.callidus.store.folders.ConfinedFolder;
import com.oviron.callidus.store.folders.FolderGuard;
import com.oviron.callidus.store.folders.UnsafeEntryException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * <p>Odd entries never stop it: directories, symbolic links, other special files, files with a second hard
 * link, empty files, unreadable files and files of a format that is no X-ray image ({@link XrayReceiver#ACCEPTED})
 * stay where they are, with one log line each (again only if they change); links, special files and hard links
 * are also raised as an alarm. The folder is the sensor software's: every entry is looked at and opened through
 * a {@link ConfinedFolder}, never through a link, and a file is stored from the very file that was opened and
 * checked. Names starting with '.' are ignored (writers' temp files).
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
    private final ConfinedFolder folder;
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
                             Consumer<XrayRecord> onCaptured, FolderGuard guard) {
        this(settings, vault, clock, onCaptured, guard, Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "xray-intake");
            t.setDaemon(true);
            return t;
        }), true);
    }

    XrayCaptureFolder(XrayCaptureSettings settings, XrayVault vault, Clock clock, Consumer<XrayRecord> onCaptured,
                      FolderGuard guard, ScheduledExecutorService executor, boolean ownExecutor) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.folder = ConfinedFolder.of(settings.captureFolder(), "x-ray capture", guard);
        this.vault = Objects.requireNonNull(vault, "vault");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.onCaptured = Objects.requireNonNull(onCaptured, "onCaptured");
        this.executor = executor;
        this.ownExecutor = ownExecutor;
    }

    /** Creates the capture folder if needed and starts polling. */
    public void start() throws IOException {
        folder.create();
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
        List<ConfinedFolder.Entry> entries;
        try {
            entries = folder.list("", MAX_ENTRIES_PER_POLL);
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
        for (ConfinedFolder.Entry e : entries) {
            if (e.name().startsWith(".")) {
                continue;
            }
            present.add(e.name());
            look(e, now);
        }
        seen.keySet().retainAll(present);
    }

    private void look(ConfinedFolder.Entry attrs, Instant now) {
        String name = attrs.name();
        Observation before = seen.get(name);
        long modified = attrs.modified().toMillis();
        Observation o = before;
        if (before == null || before.size != attrs.size() || before.modified != modified) {
            o = new Observation(attrs.size(), modified, now);
            seen.put(name, o);
        }
        switch (attrs.type()) {
            case LINK, OTHER -> {
                // never followed, never opened: reported once (and alarmed) by the folder
                refuse(o, name, attrs.type().describe());
                return;
            }
            case FOLDER -> {
                skip(o, name, "a folder");
                return;
            }
            case FILE -> {
                // looked at below
            }
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
        try (ConfinedFolder.OpenFile file = folder.open(name, vault.maxFileBytes())) {
            if (file.entry().size() != o.size || file.entry().modified().toMillis() != o.modified) {
                return; // changed since it was quiet: the next poll starts its quiet period again
            }
            if (XrayReceiver.xrayFormat(file.channel()).isEmpty()) {
                skip(o, name, "not an x-ray image format (accepted: " + XrayReceiver.acceptedList() + ")");
                return;
            }
            intake(file, name, o, now);
        } catch (UnsafeEntryException e) {
            // left alone until it changes (and looked at again after a while: it may have been a race)
            o.retryAt = now.plus(RETRY_AFTER);
            if (e.reported()) {
                o.reported = e.reason();
                skipped.incrementAndGet();
            } else {
                skip(o, name, e.reason());
            }
        } catch (IOException e) {
            skip(o, name, "unreadable: " + e.getMessage());
        }
    }

    private void intake(ConfinedFolder.OpenFile file, String name, Observation o, Instant now) {
        XrayRecord record;
        try {
            record = vault.store(file.channel(), name, XrayRecord.Direction.OUT);
        } catch (XrayVaultException e) {
            o.retryAt = now.plus(RETRY_AFTER);
            Logger.error("x-ray capture not stored, kept in the capture folder retryInSeconds={} error={}",
                    RETRY_AFTER.toSeconds(), e.getMessage());
            return;
        }
        try {
            Optional<ConfinedFolder.Entry> after = folder.entry(name);
            if (after.isEmpty() || !after.get().sameAs(file.entry())) {
                // written to (or replaced) while it was stored: take the newer content at the next quiet moment
                vault.delete(record.id());
                seen.remove(name);
                Logger.warn("x-ray capture changed while it was stored, taken again later id={}", record.id());
                return;
            }
            folder.delete(name);
            folder.sync("");
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

    /** A link or special file: the folder logs and alarms it once; here it is only counted once per change. */
    private void refuse(Observation o, String name, String what) {
        if (!what.equals(o.reported)) {
            o.reported = what;
            skipped.incrementAndGet();
            folder.refuse(name, "is " + what + "; only plain files are taken from the capture folder");
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
