package com.oviron.callidus.agent.settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings backup and sync (docs/configuration.md, section {@code settings}).
 *
 * @param folder             where the unit's user interface keeps its settings documents
 * @param fullBackupInterval how often every document is backed up, changed or not
 * @param quietPeriod        how long a changed file must stay unchanged before it is taken (it may still be
 *                           being written)
 * @param rescanInterval     how often the folder is scanned besides change notifications (and unacknowledged
 *                           backups retried)
 * @param maxVersions        versions kept per document in the store
 */
public record SettingsSyncSettings(Path folder, Duration fullBackupInterval, Duration quietPeriod,
                                   Duration rescanInterval, int maxVersions) {
    public static final Duration DEFAULT_FULL_BACKUP_INTERVAL = Duration.ofHours(24);
    public static final Duration DEFAULT_QUIET_PERIOD = Duration.ofSeconds(2);
    public static final Duration DEFAULT_RESCAN_INTERVAL = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_VERSIONS = 20;

    public SettingsSyncSettings {
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(fullBackupInterval, "fullBackupInterval");
        Objects.requireNonNull(quietPeriod, "quietPeriod");
        Objects.requireNonNull(rescanInterval, "rescanInterval");
        if (fullBackupInterval.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("settings.fullBackupInterval must be at least 1 minute, got "
                    + fullBackupInterval);
        }
        if (quietPeriod.isNegative() || quietPeriod.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("settings.quietPeriod must be 0 to 60 s, got " + quietPeriod);
        }
        if (rescanInterval.compareTo(Duration.ofMillis(100)) < 0 || rescanInterval.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("settings.rescanInterval must be 100 ms to 1 h, got " + rescanInterval);
        }
        if (maxVersions < 2 || maxVersions > 1000) {
            throw new IllegalArgumentException("settings.maxVersions must be 2 to 1000, got " + maxVersions);
        }
    }

    /** The defaults for everything but the folder. */
    public static SettingsSyncSettings defaults(Path folder) {
        return new SettingsSyncSettings(folder, DEFAULT_FULL_BACKUP_INTERVAL, DEFAULT_QUIET_PERIOD,
                DEFAULT_RESCAN_INTERVAL, DEFAULT_MAX_VERSIONS);
    }
}
