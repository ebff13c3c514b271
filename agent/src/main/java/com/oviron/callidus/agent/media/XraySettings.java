package com.oviron.callidus.agent.media;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The X-ray vault's place and limits.
 *
 * @param vaultFolder   the agent's own folder for encrypted images (nothing else should read it)
 * @param keyFile       the vault key (32 random bytes, created on first use, owner read/write only); losing it
 *                      makes every vault file unreadable
 * @param viewerFolder  where the unit's image viewer reads images delivered from the cloud (plain, as the
 *                      viewer needs them)
 * @param retention     how long an image is kept after it entered the vault (vault and viewer copy)
 * @param quotaBytes    most disk the vault files may use together
 * @param maxFileBytes  largest single image accepted
 */
public record XraySettings(Path vaultFolder, Path keyFile, Path viewerFolder, Duration retention, long quotaBytes,
                           long maxFileBytes) {
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
    public static final long DEFAULT_QUOTA_BYTES = 2L * 1024 * 1024 * 1024;
    public static final long DEFAULT_MAX_FILE_BYTES = 64L * 1024 * 1024;

    public XraySettings {
        Objects.requireNonNull(vaultFolder, "vaultFolder");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(viewerFolder, "viewerFolder");
        Objects.requireNonNull(retention, "retention");
        if (retention.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("x-ray retention must be at least 1 minute, got " + retention);
        }
        if (maxFileBytes < 1) {
            throw new IllegalArgumentException("x-ray max file bytes must be positive, got " + maxFileBytes);
        }
        if (quotaBytes < maxFileBytes) {
            throw new IllegalArgumentException("x-ray quota (" + quotaBytes + " bytes) must be at least the max"
                    + " file size (" + maxFileBytes + " bytes)");
        }
        Path vault = vaultFolder.toAbsolutePath().normalize();
        Path viewer = viewerFolder.toAbsolutePath().normalize();
        if (vault.equals(viewer)) {
            throw new IllegalArgumentException("x-ray vault folder and viewer folder must differ");
        }
    }

    /** The defaults (30 days, 2 GiB, 256 MiB per image) with the key file {@code xray.key} beside the vault. */
    public static XraySettings defaults(Path vaultFolder, Path viewerFolder) {
        return new XraySettings(vaultFolder, vaultFolder.resolveSibling("xray.key"), viewerFolder,
                DEFAULT_RETENTION, DEFAULT_QUOTA_BYTES, DEFAULT_MAX_FILE_BYTES);
    }
}
