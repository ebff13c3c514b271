package com.oviron.callidus.agent.settings;

import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.log.FailureLog;
import com.oviron.callidus.store.settings.DocumentVersion;
import com.oviron.callidus.store.settings.SettingsVersions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.tinylog.Logger;

/**
 * Publishes settings backups and books their acknowledgements: a document version becomes the cloud's
 * confirmed version (the merge base) when the broker acknowledged the message that carried it; conflict and
 * invalid-file reports wait until a message carrying them is acknowledged. Not thread-safe: used on the
 * settings-sync thread only; acknowledgements are posted back to it.
 */
final class BackupPublisher {
    /** Pending conflict and invalid-file reports kept for the next backup, each (oldest dropped first). */
    static final int MAX_PENDING_REPORTS = 100;

    /** Counters since start. */
    record Counters(long messagesPublished, long messagesAcked, long publishFailures, long reportsDropped) {
    }

    private final SettingsVersions versions;
    private final MqttConnection link;
    private final Topics topics;
    private final Duration fullBackupInterval;
    private final Consumer<Runnable> post;
    private final Clock clock;
    private final ArrayDeque<SettingsReports.ConflictReport> conflicts = new ArrayDeque<>();
    private final ArrayDeque<SettingsReports.InvalidLocalReport> invalid = new ArrayDeque<>();
    private final Set<Object> reportsInFlight = new HashSet<>();
    private final Map<String, Long> inFlight = new HashMap<>();
    private boolean fullInFlight;
    private final AtomicLong messagesPublished = new AtomicLong();
    private final AtomicLong messagesAcked = new AtomicLong();
    private final AtomicLong publishFailures = new AtomicLong();
    private final AtomicLong reportsDropped = new AtomicLong();
    /** Store failures that repeat (a full disk) are logged once a minute with their count. */
    private final FailureLog failures = new FailureLog();

    /** @param post hands a task to the settings-sync thread (acknowledgements arrive on the broker's thread) */
    BackupPublisher(SettingsVersions versions, MqttConnection link, Topics topics, Duration fullBackupInterval,
                    Consumer<Runnable> post, Clock clock) {
        this.versions = versions;
        this.link = link;
        this.topics = topics;
        this.fullBackupInterval = fullBackupInterval;
        this.post = post;
        this.clock = clock;
    }

    Counters counters() {
        return new Counters(messagesPublished.get(), messagesAcked.get(), publishFailures.get(), reportsDropped.get());
    }

    /** After a connection change: what was in flight will not be acknowledged, so it goes again. */
    void forgetInFlight() {
        inFlight.clear();
        reportsInFlight.clear();
        fullInFlight = false;
    }

    void report(SettingsReports.ConflictReport r) {
        add(conflicts, r);
    }

    void report(SettingsReports.InvalidLocalReport r) {
        add(invalid, r);
    }

    boolean hasReports() {
        return !conflicts.isEmpty() || !invalid.isEmpty();
    }

    private <T> void add(ArrayDeque<T> queue, T report) {
        if (queue.size() >= MAX_PENDING_REPORTS) {
            reportsInFlight.remove(queue.pollFirst());
            reportsDropped.incrementAndGet();
        }
        queue.addLast(report);
    }

    /** Backs up the versions the cloud has not confirmed (and not in flight), with the waiting reports. */
    void backupUnsynced(String reason) {
        List<DocumentVersion> docs;
        try {
            docs = versions.unsynced().stream().filter(v -> !Long.valueOf(v.version()).equals(inFlight.get(v.name())))
                    .toList();
        } catch (StoreException e) {
            failures.error("unsynced", "settings versions unreadable, backup skipped error={}", e.getMessage());
            return;
        }
        publish(reason, docs, false);
    }

    /** A full backup when the last acknowledged one is older than the interval (or there was none). */
    void fullBackupIfDue() {
        try {
            var last = versions.lastFullBackupMillis();
            if (!fullInFlight && (last.isEmpty()
                    || clock.millis() - last.getAsLong() >= fullBackupInterval.toMillis())) {
                fullBackup("daily");
            }
        } catch (StoreException e) {
            failures.error("full.check", "settings full backup not checked error={}", e.getMessage());
        }
    }

    /** Every existing document now; returns how many messages went out (0 when not connected). */
    int fullBackup(String reason) throws StoreException {
        List<DocumentVersion> all = versions.latestAll().stream().filter(v -> !v.deleted()).toList();
        return publish(reason, all, true);
    }

    /** Publishes the documents and the waiting reports; returns how many messages went out. */
    private int publish(String reason, List<DocumentVersion> docs, boolean full) {
        if (!link.isConnected()) {
            return 0;
        }
        List<SettingsReports.ConflictReport> c = conflicts.stream().filter(r -> !reportsInFlight.contains(r)).toList();
        List<SettingsReports.InvalidLocalReport> i = invalid.stream().filter(r -> !reportsInFlight.contains(r))
                .toList();
        if (docs.isEmpty() && c.isEmpty() && i.isEmpty() && !full) {
            return 0;
        }
        long at = clock.millis();
        List<BackupMessages.Part> parts = BackupMessages.build(topics.deviceId(), at, reason, docs, c, i);
        int[] remaining = {parts.size()};
        if (full) {
            fullInFlight = true;
        }
        for (BackupMessages.Part part : parts) {
            part.documents().forEach(d -> inFlight.put(d.name(), d.version()));
            reportsInFlight.addAll(part.conflicts());
            reportsInFlight.addAll(part.invalid());
            messagesPublished.incrementAndGet();
            link.publish(SettingsSync.topic(topics), part.payload(), 1, false).whenComplete((ok, e) -> post.accept(() -> {
                booked(part, e);
                if (full && e == null && --remaining[0] == 0) {
                    fullBackupDone(at);
                } else if (full && e != null) {
                    fullInFlight = false;
                }
            }));
        }
        Logger.info("settings backup published reason={} documents={} conflicts={} invalidLocal={} messages={}",
                reason, docs.size(), c.size(), i.size(), parts.size());
        return parts.size();
    }

    private void booked(BackupMessages.Part part, Throwable error) {
        part.documents().forEach(d -> inFlight.remove(d.name(), d.version()));
        part.conflicts().forEach(reportsInFlight::remove);
        part.invalid().forEach(reportsInFlight::remove);
        if (error != null) {
            publishFailures.incrementAndGet();
            Logger.warn("settings backup not acknowledged, retried later documents={} error={}",
                    part.documents().size(), error.getMessage());
            return;
        }
        messagesAcked.incrementAndGet();
        conflicts.removeAll(part.conflicts());
        invalid.removeAll(part.invalid());
        for (DocumentVersion d : part.documents()) {
            try {
                versions.markSynced(d.name(), d.version());
            } catch (StoreException e) {
                failures.error("synced", "settings version acknowledged but not booked; sent again later document={}"
                        + " version={} error={}", d.name(), d.version(), e.getMessage());
            }
        }
    }

    private void fullBackupDone(long at) {
        fullInFlight = false;
        try {
            versions.fullBackupDone(at);
            Logger.info("settings full backup acknowledged at={}", at);
        } catch (StoreException e) {
            failures.error("full.done", "settings full backup not booked error={}", e.getMessage());
        }
    }
}
