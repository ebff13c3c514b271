package com.oviron.callidus.store.fake;

import com.oviron.callidus.store.settings.ClinicDefaults;
import com.oviron.callidus.store.settings.DocumentVersion;
import com.oviron.callidus.store.settings.NewDefaults;
import com.oviron.callidus.store.settings.NewVersion;
import com.oviron.callidus.store.settings.SettingsVersions;
import com.oviron.callidus.store.settings.Sha256;
import com.oviron.callidus.store.settings.SqliteSettingsVersions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/** Settings versions in memory, for tests; behaves like {@link SqliteSettingsVersions} (same contract test). */
public final class InMemorySettingsVersions implements SettingsVersions {
    private final int maxVersions;
    private final Map<String, TreeMap<Long, DocumentVersion>> versions = new TreeMap<>();
    private final Map<String, Long> latest = new TreeMap<>();
    private final Map<String, Long> synced = new TreeMap<>();
    private final Map<String, ClinicDefaults> defaults = new TreeMap<>();
    private OptionalLong lastFullBackup = OptionalLong.empty();

    public InMemorySettingsVersions(int maxVersions) {
        if (maxVersions < 2) {
            throw new IllegalArgumentException("maxVersions must be at least 2, got " + maxVersions);
        }
        this.maxVersions = maxVersions;
    }

    public InMemorySettingsVersions() {
        this(DEFAULT_MAX_VERSIONS);
    }

    @Override
    public synchronized List<DocumentVersion> record(List<NewVersion> changes, List<NewDefaults> newDefaults,
                                                     long atMillis) {
        SqliteSettingsVersions.checkBatch(changes, newDefaults);
        List<DocumentVersion> out = new ArrayList<>();
        for (NewVersion n : changes) {
            long number = latest.getOrDefault(n.name(), 0L) + 1;
            DocumentVersion v = new DocumentVersion(n.name(), number, Sha256.hex(n.content()), n.content(),
                    n.origin(), atMillis, n.note(), n.deleted());
            versions.computeIfAbsent(n.name(), k -> new TreeMap<>()).put(number, v);
            latest.put(n.name(), number);
            prune(n.name());
            out.add(v);
        }
        for (NewDefaults d : newDefaults) {
            ClinicDefaults before = defaults.get(d.name());
            defaults.put(d.name(), new ClinicDefaults(d.clinic(), d.name(), before == null ? 1 : before.version() + 1,
                    Sha256.hex(d.content()), d.content(), atMillis));
        }
        return List.copyOf(out);
    }

    private void prune(String name) {
        long keepFrom = latest.get(name) - maxVersions;
        long base = synced.getOrDefault(name, 0L);
        versions.get(name).keySet().removeIf(v -> v <= keepFrom && v != base);
    }

    @Override
    public synchronized Optional<DocumentVersion> latest(String name) {
        return Optional.ofNullable(latest.get(name)).map(v -> versions.get(name).get(v));
    }

    @Override
    public synchronized List<DocumentVersion> latestAll() {
        return latest.entrySet().stream().map(e -> versions.get(e.getKey()).get(e.getValue())).toList();
    }

    @Override
    public synchronized Optional<DocumentVersion> version(String name, long version) {
        return Optional.ofNullable(versions.get(name)).map(m -> m.get(version));
    }

    @Override
    public synchronized Optional<DocumentVersion> synced(String name) {
        return Optional.ofNullable(synced.get(name)).map(v -> versions.get(name).get(v));
    }

    @Override
    public synchronized void markSynced(String name, long version) {
        Long newest = latest.get(name);
        if (newest != null && version <= newest && version > synced.getOrDefault(name, 0L)) {
            synced.put(name, version);
            prune(name);
        }
    }

    @Override
    public synchronized List<DocumentVersion> unsynced() {
        return latest.entrySet().stream().filter(e -> synced.getOrDefault(e.getKey(), 0L) < e.getValue())
                .map(e -> versions.get(e.getKey()).get(e.getValue())).toList();
    }

    @Override
    public synchronized List<ClinicDefaults> defaults() {
        return List.copyOf(defaults.values());
    }

    @Override
    public synchronized OptionalLong lastFullBackupMillis() {
        return lastFullBackup;
    }

    @Override
    public synchronized void fullBackupDone(long atMillis) {
        lastFullBackup = OptionalLong.of(atMillis);
    }

    @Override
    public void close() {
    }
}
