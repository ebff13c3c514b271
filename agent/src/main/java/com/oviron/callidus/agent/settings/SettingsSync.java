package com.oviron.callidus.agent.settings;

import com.oviron.callidus.cloud.ConnectionListener;
import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.folders.ConfinedFolder;
import com.oviron.callidus.store.folders.FolderGuard;
import com.oviron.callidus.store.settings.DocumentVersion;
import com.oviron.callidus.store.settings.NewVersion;
import com.oviron.callidus.store.settings.Origin;
import com.oviron.callidus.store.settings.SettingsVersions;
import com.oviron.callidus.store.settings.Sha256;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.tinylog.Logger;

/**
 * Settings backup and sync (issue 5): watches the settings folder, records every local change as a new version
 * in the store and backs it up to {@code callidus/v1/<id>/settings} (QoS 1); a version becomes the merge base
 * when the broker acknowledges it. Backs up every document once per {@code fullBackupInterval}; after a
 * reconnect, whatever the cloud has not confirmed. Carries out the cloud's {@code settings.*} commands
 * ({@link SettingsCommands}) on the same thread, so that files written for the cloud are recorded before any
 * scan can see them and are never mistaken for local changes.
 *
 * <p>Threads: all state lives on {@code executor} (one thread, "settings-sync" in the agent); the folder
 * watch has its own thread "settings-watch" that only signals; broker callbacks only post to the executor.
 */
public final class SettingsSync implements AutoCloseable {
    private static final String ABSENT = "absent";

    private final SettingsSyncSettings settings;
    private final SettingsVersions versions;
    private final MqttConnection link;
    private final Topics topics;
    private final ScheduledExecutorService executor;
    private final Clock clock;
    private final SettingsFolder folder;
    private final CloudSettingsChanges changes;
    private final FolderWatcher watcher;
    private final BackupPublisher backups;

    private record Pending(String observed, long sinceMillis) {
    }

    private final Map<DocumentName, Pending> pending = new HashMap<>();
    private final Map<DocumentName, String> invalidSeen = new HashMap<>();
    private boolean scanQueued;
    private ScheduledFuture<?> quietRescan;
    private ScheduledFuture<?> ticker;
    private final AtomicLong localVersions = new AtomicLong();

    /**
     * Counters since start.
     *
     * @param localVersions     versions recorded from local changes
     * @param messagesPublished backup messages handed to the broker
     * @param messagesAcked     backup messages the broker acknowledged
     * @param publishFailures   backup messages that failed (retried later)
     * @param reportsDropped    conflict or invalid-file reports dropped because too many were waiting
     */
    public record Stats(long localVersions, long messagesPublished, long messagesAcked, long publishFailures,
                        long reportsDropped) {
    }

    /**
     * @param stateFolder the agent's own folder (the store folder): the commit manifest of a write is kept there
     * @param guard       reports refused entries of the settings folder (links, FIFOs, ...) once
     * @param versions the store of versions ({@code SqliteSettingsVersions} on its own file, e.g. settings.db)
     * @param executor a single thread ("settings-sync"); closed by the owner after {@link #close()}
     */
    public SettingsSync(SettingsSyncSettings settings, Path stateFolder, FolderGuard guard, SettingsVersions versions,
                        MqttConnection link, Topics topics, ScheduledExecutorService executor, Clock clock) {
        this(settings, versions, link, topics, executor, clock, new SettingsFolder(
                ConfinedFolder.of(settings.folder(), "settings", guard), stateFolder));
    }

    SettingsSync(SettingsSyncSettings settings, SettingsVersions versions, MqttConnection link, Topics topics,
                 ScheduledExecutorService executor, Clock clock, SettingsFolder folder) {
        this.settings = settings;
        this.versions = versions;
        this.link = link;
        this.topics = topics;
        this.executor = executor;
        this.clock = clock;
        this.folder = folder;
        this.changes = new CloudSettingsChanges(folder, versions, clock);
        this.watcher = new FolderWatcher(folder.root(), this::requestScan);
        this.backups = new BackupPublisher(versions, link, topics, settings.fullBackupInterval(), this::post, clock);
    }

    /** The topic of the backup messages: {@code callidus/v1/<deviceId>/settings}. */
    public static String topic(Topics topics) {
        return Topics.ROOT + "/" + topics.deviceId() + "/settings";
    }

    /**
     * Completes a folder write interrupted by a power cut, scans the folder, starts watching it and the
     * periodic rescan, and backs up on every (re)connect. Call before the connection starts.
     */
    public void start() {
        try {
            folder.recover();
        } catch (IOException e) {
            Logger.error("settings folder not ready; retried by the rescan folder={} error={}", folder.root(),
                    e.getMessage());
        }
        watcher.start();
        link.addListener(new ConnectionListener() {
            @Override
            public void connected() {
                post(() -> {
                    backups.forgetInFlight();
                    backups.backupUnsynced("change");
                    backups.fullBackupIfDue();
                });
            }

            @Override
            public void disconnected(String reason) {
                post(backups::forgetInFlight);
            }
        });
        long period = settings.rescanInterval().toMillis();
        ticker = executor.scheduleWithFixedDelay(this::tick, 0, period, TimeUnit.MILLISECONDS);
        Logger.info("settings sync started folder={} fullBackupEvery={} quietPeriod={} rescanEvery={}",
                folder.root(), settings.fullBackupInterval(), settings.quietPeriod(), settings.rescanInterval());
    }

    /** Registers {@code settings.get}, {@code settings.put}, {@code settings.defaults}, {@code settings.restore}
     * and {@code settings.backup}. */
    public void registerCommands(CommandChannel channel) {
        new SettingsCommands(this).registerOn(channel);
    }

    /** Scans the folder now; the future completes when the scan (and the backup it caused) is done. */
    public Future<?> rescanNow() {
        return executor.submit(() -> {
            scan();
            return null;
        });
    }

    /** Backs up every document now; the future tells how many messages were published. */
    public Future<Integer> backupNow() {
        return executor.submit(this::backupNowOnThread);
    }

    /** A full backup on request (reason "backup"), on the executor; returns how many messages went out. */
    int backupNowOnThread() throws StoreException {
        return backups.fullBackup("backup");
    }

    public Stats stats() {
        BackupPublisher.Counters c = backups.counters();
        return new Stats(localVersions.get(), c.messagesPublished(), c.messagesAcked(), c.publishFailures(),
                c.reportsDropped());
    }

    private void requestScan() {
        synchronized (this) {
            if (scanQueued) {
                return;
            }
            scanQueued = true;
        }
        post(() -> {
            synchronized (this) {
                scanQueued = false;
            }
            scan();
        });
    }

    void post(Runnable r) {
        try {
            executor.execute(r);
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    private void tick() {
        try {
            scan();
            backups.backupUnsynced("change");
            backups.fullBackupIfDue();
        } catch (RuntimeException e) {
            Logger.error(e, "settings sync tick failed");
        }
    }

    // ---- local changes ----

    /** Runs on the executor. Records the documents that changed and stayed quiet; returns the names still settling. */
    Set<DocumentName> scan() {
        SettingsFolder.Snapshot snapshot;
        try {
            snapshot = folder.scan();
        } catch (IOException e) {
            Logger.warn("settings folder not readable folder={} error={}", folder.root(), e.getMessage());
            return Set.of();
        }
        long now = clock.millis();
        Set<DocumentName> names = new TreeSet<>(snapshot.files().keySet());
        names.addAll(snapshot.unreadable().keySet());
        Map<DocumentName, DocumentVersion> latest = new HashMap<>();
        try {
            for (DocumentVersion v : versions.latestAll()) {
                if (DocumentName.isValid(v.name())) {
                    latest.put(new DocumentName(v.name()), v);
                    if (!v.deleted()) {
                        names.add(new DocumentName(v.name()));
                    }
                }
            }
        } catch (StoreException e) {
            Logger.error("settings versions unreadable, scan skipped error={}", e.getMessage());
            return Set.of();
        }
        pending.keySet().retainAll(names);
        invalidSeen.keySet().retainAll(names);
        List<NewVersion> recorded = new ArrayList<>();
        Set<DocumentName> settling = new TreeSet<>();
        long nextQuiet = Long.MAX_VALUE;
        for (DocumentName name : names) {
            String observed = observed(snapshot, name);
            if (observed.equals(ABSENT) && !snapshot.complete()) {
                continue; // not read this time, not gone
            }
            DocumentVersion v = latest.get(name);
            String known = v == null || v.deleted() ? ABSENT : v.sha256();
            if (observed.equals(known) || observed.equals(invalidSeen.get(name))) {
                pending.remove(name);
                continue;
            }
            Pending p = pending.get(name);
            if (p == null || !p.observed().equals(observed)) {
                p = new Pending(observed, now);
                pending.put(name, p);
            }
            long quietAt = p.sinceMillis() + settings.quietPeriod().toMillis();
            if (now < quietAt) {
                settling.add(name);
                nextQuiet = Math.min(nextQuiet, Math.max(quietAt - now, 1));
                continue;
            }
            pending.remove(name);
            take(snapshot, name, observed, now).ifPresent(recorded::add);
        }
        if (nextQuiet != Long.MAX_VALUE) {
            scheduleQuietRescan(nextQuiet);
        }
        if (!recorded.isEmpty()) {
            try {
                for (DocumentVersion v : versions.record(recorded, List.of(), now)) {
                    localVersions.incrementAndGet();
                    Logger.info("settings changed on the unit document={} version={} deleted={} sha256={}", v.name(),
                            v.version(), v.deleted(), v.sha256());
                }
            } catch (StoreException | RuntimeException e) {
                Logger.error("settings change not recorded; retried at the next scan documents={} error={}",
                        recorded.size(), e.getMessage());
                return settling;
            }
        }
        if (!recorded.isEmpty() || backups.hasReports()) {
            backups.backupUnsynced("change");
        }
        return settling;
    }

    private static String observed(SettingsFolder.Snapshot snapshot, DocumentName name) {
        byte[] bytes = snapshot.files().get(name);
        if (bytes != null) {
            return Sha256.hex(bytes);
        }
        String problem = snapshot.unreadable().get(name);
        return problem != null ? "unreadable:" + problem : ABSENT;
    }

    private Optional<NewVersion> take(SettingsFolder.Snapshot snapshot, DocumentName name, String observed, long now) {
        if (observed.equals(ABSENT)) {
            invalidSeen.remove(name);
            return Optional.of(NewVersion.deletion(name.path(), Origin.LOCAL, ""));
        }
        byte[] bytes = snapshot.files().get(name);
        String problem = snapshot.unreadable().get(name);
        if (bytes != null) {
            try {
                SettingsJson.parse(name, bytes);
                invalidSeen.remove(name);
                return Optional.of(NewVersion.of(name.path(), bytes, Origin.LOCAL, ""));
            } catch (InvalidSettingsException e) {
                problem = e.getMessage();
            }
        }
        invalidSeen.put(name, observed);
        Logger.warn("settings file on the unit is not valid, not backed up; the last good version stays document={}"
                + " reason={}", name, problem);
        String hash = bytes != null ? observed : "";
        backups.report(new SettingsReports.InvalidLocalReport(name, hash, problem, now));
        return Optional.empty();
    }

    private void scheduleQuietRescan(long delayMillis) {
        if (quietRescan != null && !quietRescan.isDone()) {
            return;
        }
        try {
            quietRescan = executor.schedule(this::scan, delayMillis + 20, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }


    // ---- for the commands (called on the executor) ----

    /** Runs {@code work} on the settings-sync thread and waits for it. */
    <T> T onSyncThread(Callable<T> work) throws Exception {
        Future<T> f = executor.submit(work);
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    CloudSettingsChanges changes() {
        return changes;
    }

    SettingsVersions versions() {
        return versions;
    }

    /** After a change from the cloud: forget local state about those documents, report, and back up. */
    void cloudChanged(String reason, String commandId, Collection<DocumentName> touched,
                      List<CloudSettingsChanges.DocumentConflict> reported) {
        touched.forEach(n -> {
            pending.remove(n);
            invalidSeen.remove(n);
        });
        if (reason.equals("restore")) {
            pending.clear();
            invalidSeen.clear();
        }
        long now = clock.millis();
        reported.forEach(c -> backups.report(new SettingsReports.ConflictReport(c.name(), c.conflict(), reason,
                commandId, now)));
        backups.backupUnsynced(reason);
    }

    @Override
    public void close() {
        watcher.close();
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (quietRescan != null) {
            quietRescan.cancel(false);
        }
    }
}
