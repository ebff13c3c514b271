package com.oviron.callidus.agent.update;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Objects;

/**
 * The update part of the agent's configuration (docs/configuration.md, "update").
 *
 * @param root               the folder with {@code slots/}, {@code current} and {@code update.state}
 * @param hardwareId         this unit's hardware id, matched against the manifest's {@code hardware}
 * @param signingKeys        pinned Ed25519 public keys by key id (raw base64url or PEM)
 * @param window             when installs may start, local time in {@code zone}
 * @param zone               the unit's time zone for the window
 * @param recheckInterval    how often a waiting install checks the treatment state and the window again
 * @param healthDeadline     how long a new version has after its start to pass its health check
 * @param maxPayloadBytes    the most payload a package may declare
 */
public record UpdateSettings(Path root, String hardwareId, Map<String, String> signingKeys, MaintenanceWindow window,
                             ZoneId zone, Duration recheckInterval, Duration healthDeadline, long maxPayloadBytes) {
    public static final Path DEFAULT_ROOT = Path.of("/var/lib/callidus/update");
    public static final String DEFAULT_WINDOW = "02:00-04:00";
    public static final Duration DEFAULT_RECHECK = Duration.ofSeconds(30);
    public static final Duration DEFAULT_HEALTH_DEADLINE = Duration.ofMinutes(3);
    public static final long DEFAULT_MAX_PAYLOAD_BYTES = 256L * 1024 * 1024;

    public UpdateSettings {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(hardwareId, "hardwareId");
        signingKeys = Map.copyOf(signingKeys);
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(zone, "zone");
        if (recheckInterval.isNegative() || recheckInterval.isZero()) {
            throw new IllegalArgumentException("update.recheckInterval must be positive");
        }
        if (healthDeadline.isNegative() || healthDeadline.isZero()) {
            throw new IllegalArgumentException("update.healthDeadline must be positive");
        }
        if (maxPayloadBytes <= 0) {
            throw new IllegalArgumentException("update.maxPackageBytes must be positive");
        }
        PinnedKeys.of(signingKeys); // each key valid, at least one
    }

    /** Settings with the defaults for everything but what only the unit can know. */
    public static UpdateSettings defaults(Path root, String hardwareId, Map<String, String> signingKeys) {
        return new UpdateSettings(root, hardwareId, signingKeys, MaintenanceWindow.parse(DEFAULT_WINDOW),
                ZoneId.systemDefault(), DEFAULT_RECHECK, DEFAULT_HEALTH_DEADLINE, DEFAULT_MAX_PAYLOAD_BYTES);
    }
}
