package com.oviron.callidus.agent;

import com.oviron.callidus.agent.console.ConsoleSettings;
import com.oviron.callidus.agent.media.DisplaySettings;
import com.oviron.callidus.agent.media.DisplaySpec;
import com.oviron.callidus.agent.media.XrayCaptureSettings;
import com.oviron.callidus.agent.media.XraySettings;
import com.oviron.callidus.agent.settings.SettingsSyncSettings;
import com.oviron.callidus.agent.subscription.PinnedKeys;
import com.oviron.callidus.agent.subscription.SubscriptionSettings;
import com.oviron.callidus.agent.subscription.TrustedClock;
import com.oviron.callidus.agent.update.UpdateSettings;
import com.oviron.callidus.cloud.files.FileKind;
import com.oviron.callidus.cloud.files.FileTransferSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The configuration sections of the cloud services, the subscription, updates and the field console
 * (docs/configuration.md): one method per section, each returning its module's settings record or empty
 * when the section is absent (the service is then off). {@link AgentConfigLoader} reads the rest.
 */
final class ServiceConfigSections {
    private ServiceConfigSections() {
    }

    /**
     * The update section: the A/B slot root, this unit's hardware id and the pinned package keys; absent means
     * remote updates are off.
     */
    static Optional<UpdateSettings> update(ConfigSection s, Path baseDir) throws ConfigException {
        if (!s.isPresent()) {
            return Optional.empty();
        }
        String root = s.string("root", UpdateSettings.DEFAULT_ROOT.toString());
        String hardwareId = s.string("hardwareId", null);
        if (hardwareId == null || hardwareId.isEmpty()) {
            throw new ConfigException(s.key("hardwareId"), "is missing; it is required (the hardware id update"
                    + " packages must name, e.g. \"callidus-v1\")");
        }
        ConfigSection keysSection = s.section("keys", true);
        java.util.Map<String, String> keys = new java.util.LinkedHashMap<>();
        for (String kid : keysSection.keys()) {
            keys.put(kid, keysSection.string(kid, null));
        }
        if (keys.isEmpty()) {
            throw new ConfigException(s.key("keys"), "needs at least one key id with its Ed25519 public key");
        }
        try {
            com.oviron.callidus.agent.update.PinnedKeys.of(keys);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(s.key("keys"), e.getMessage());
        }
        String windowText = s.string("maintenanceWindow", UpdateSettings.DEFAULT_WINDOW);
        com.oviron.callidus.agent.update.MaintenanceWindow window;
        try {
            window = com.oviron.callidus.agent.update.MaintenanceWindow.parse(windowText);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(s.key("maintenanceWindow"), e.getMessage());
        }
        String zoneText = s.string("timeZone", java.time.ZoneId.systemDefault().getId());
        java.time.ZoneId zone;
        try {
            zone = java.time.ZoneId.of(zoneText);
        } catch (java.time.DateTimeException e) {
            throw new ConfigException(s.key("timeZone"), "'" + zoneText + "' is not a time zone (e.g. Europe/Sofia)");
        }
        Duration recheck = s.duration("recheckInterval", UpdateSettings.DEFAULT_RECHECK, Duration.ofSeconds(1),
                Duration.ofHours(1));
        Duration health = s.duration("healthDeadline", UpdateSettings.DEFAULT_HEALTH_DEADLINE, Duration.ofSeconds(5),
                Duration.ofHours(1));
        long maxMb = s.integer("maxPackageMb", UpdateSettings.DEFAULT_MAX_PAYLOAD_BYTES >> 20, 1, 4096);
        s.done();
        return Optional.of(new UpdateSettings(baseDir.resolve(root).normalize(), hardwareId, keys, window, zone,
                recheck, health, maxMb << 20));
    }

    /** The console section: the field technician's serial console; absent means no console. */
    static Optional<com.oviron.callidus.agent.console.ConsoleSettings> console(ConfigSection s)
            throws ConfigException {
        if (!s.isPresent()) {
            return Optional.empty();
        }
        String device = s.string("device", null);
        if (device == null || device.isEmpty()) {
            throw new ConfigException(s.key("device"), "is missing; it is required (the console's serial device,"
                    + " e.g. /dev/ttyS1 or /dev/ttyGS0)");
        }
        int baud = (int) s.integer("baudRate", AgentConfigLoader.DEFAULT_BAUD_RATE, 1200, 921_600);
        s.done();
        return Optional.of(com.oviron.callidus.agent.console.ConsoleSettings.of(device, baud));
    }

    /** The settings section: the folder of the unit's settings documents; absent means no settings sync. */
    static Optional<SettingsSyncSettings> settingsSync(ConfigSection s, Path baseDir) throws ConfigException {
        if (!s.isPresent()) {
            return Optional.empty();
        }
        String folder = s.string("folder", null);
        if (folder == null || folder.isEmpty()) {
            throw new ConfigException(s.key("folder"), "is missing; it is required (the folder of the unit's"
                    + " settings documents)");
        }
        Duration full = s.duration("fullBackupInterval", SettingsSyncSettings.DEFAULT_FULL_BACKUP_INTERVAL,
                Duration.ofMinutes(1), Duration.ofDays(7));
        Duration quiet = s.duration("quietPeriod", SettingsSyncSettings.DEFAULT_QUIET_PERIOD, Duration.ZERO,
                Duration.ofMinutes(10));
        Duration rescan = s.duration("rescanInterval", SettingsSyncSettings.DEFAULT_RESCAN_INTERVAL,
                Duration.ofSeconds(1), Duration.ofHours(1));
        int maxVersions = (int) s.integer("maxVersions", SettingsSyncSettings.DEFAULT_MAX_VERSIONS, 2, 1000);
        s.done();
        return Optional.of(new SettingsSyncSettings(baseDir.resolve(folder).normalize(), full, quiet, rescan,
                maxVersions));
    }

    /** The display section: where the unit's UI reads its logo and screen saver; absent: none received. */
    static Optional<DisplaySettings> display(ConfigSection s, Path baseDir, Path stateFolder)
            throws ConfigException {
        if (!s.isPresent()) {
            return Optional.empty();
        }
        String folder = s.string("folder", null);
        if (folder == null || folder.isEmpty()) {
            throw new ConfigException(s.key("folder"), "is missing; it is required (the folder the unit's display"
                    + " software reads logo.png and screensaver.png from)");
        }
        int width = (int) s.integer("width", DisplaySpec.DEFAULT_WIDTH, 1, 8192);
        int height = (int) s.integer("height", DisplaySpec.DEFAULT_HEIGHT, 1, 8192);
        long maxBytes = s.integer("maxBytes", DisplaySpec.DEFAULT_MAX_BYTES, 1, 64L << 20);
        s.done();
        return Optional.of(new DisplaySettings(baseDir.resolve(folder).normalize(), stateFolder.resolve("display"),
                new DisplaySpec(width, height, DisplaySpec.defaults().acceptedFormats(), maxBytes)));
    }

    /** The xray section: the viewer folder and retention; absent: X-ray images are not handled. */
    static Optional<XraySettings> xray(ConfigSection s, Path baseDir, Path stateFolder) throws ConfigException {
        if (!s.isPresent()) {
            return Optional.empty();
        }
        String viewer = s.string("viewerFolder", null);
        if (viewer == null || viewer.isEmpty()) {
            throw new ConfigException(s.key("viewerFolder"), "is missing; it is required (the folder the unit's"
                    + " image viewer reads X-ray images from)");
        }
        Duration retention = s.duration("retention", XraySettings.DEFAULT_RETENTION, Duration.ofHours(1),
                Duration.ofDays(3650));
        long quotaMb = s.integer("quotaMb", XraySettings.DEFAULT_QUOTA_BYTES >> 20, 1, 1L << 20);
        long maxFileMb = s.integer("maxFileMb", XraySettings.DEFAULT_MAX_FILE_BYTES >> 20, 1, 1024);
        if (maxFileMb > quotaMb) {
            throw new ConfigException(s.key("maxFileMb"), maxFileMb + " must not be above xray.quotaMb (" + quotaMb
                    + ")");
        }
        Path viewerFolder = baseDir.resolve(viewer).normalize();
        Path vault = stateFolder.resolve("xray");
        if (viewerFolder.toAbsolutePath().startsWith(vault.toAbsolutePath())) {
            throw new ConfigException(s.key("viewerFolder"), "must not be inside the agent's X-ray vault " + vault);
        }
        return Optional.of(new XraySettings(vault, stateFolder.resolve("xray.key"), viewerFolder, retention,
                quotaMb << 20, maxFileMb << 20));
    }

    /** {@code xray.captureFolder}: where the unit's X-ray sensor software drops images to send. */
    static Optional<XrayCaptureSettings> xrayCapture(ConfigSection s, Path baseDir) throws ConfigException {
        if (!s.isPresent()) {
            return Optional.empty();
        }
        String folder = s.string("captureFolder", "");
        Duration quiet = s.duration("captureQuietPeriod", XrayCaptureSettings.DEFAULT_QUIET_PERIOD, Duration.ZERO,
                Duration.ofMinutes(10));
        if (folder.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new XrayCaptureSettings(baseDir.resolve(folder).normalize(), quiet,
                XrayCaptureSettings.DEFAULT_POLL_INTERVAL));
    }

    /**
     * The files section: transfer limits. A kind is received only when its handler is configured (display:
     * logo and screen saver; xray: X-ray images), with the handler's size limit as its quota.
     */
    static FileTransferSettings files(ConfigSection s, Path stateFolder, Optional<DisplaySettings> display,
                                              Optional<XraySettings> xray, Optional<UpdateSettings> update)
            throws ConfigException {
        FileTransferSettings d = FileTransferSettings.defaults(stateFolder.resolve("transfers"));
        int maxConcurrent = (int) s.integer("maxConcurrent", d.maxConcurrent(), 1, 16);
        int chunksPerSecond = (int) s.integer("chunksPerSecond", d.chunksPerSecond(), 0, 90);
        long maxUploadMb = s.integer("maxUploadMb", d.maxUploadBytes() >> 20, 1, 4096);
        long minFreeMb = s.integer("minFreeMb", d.minFreeBytes() >> 20, 0, 1L << 20);
        s.done();
        java.util.Map<FileKind, Long> quota = new java.util.EnumMap<>(FileKind.class);
        display.ifPresent(x -> {
            quota.put(FileKind.LOGO, x.spec().maxBytes());
            quota.put(FileKind.SCREENSAVER, x.spec().maxBytes());
        });
        xray.ifPresent(x -> quota.put(FileKind.XRAY, x.maxFileBytes()));
        // a package is its payload plus a header and a signed manifest of at most 64 KiB
        update.ifPresent(u -> quota.put(FileKind.UPDATE, u.maxPayloadBytes() + (1L << 20)));
        return new FileTransferSettings(d.partDir(), quota, maxUploadMb << 20, minFreeMb << 20, d.defaultChunkSize(),
                d.maxChunkSize(), maxConcurrent, d.maxQueuedUploads(), d.window(), chunksPerSecond, d.requestTimeout(),
                d.progressInterval(), d.maxDeadline(), d.uploadDeadline(), d.keepFinished(), d.maxQueuedBytes());
    }

    /**
     * The subscription section; absent means the subscription is not checked (development: a warning is
     * logged at start), present needs at least one pinned key.
     */
    static Optional<SubscriptionSettings> subscription(ConfigSection sub, Path baseDir, Path storeFolder)
            throws ConfigException {
        if (!sub.isPresent()) {
            return Optional.empty();
        }
        String issuer = sub.string("issuer", SubscriptionSettings.DEFAULT_ISSUER);
        if (issuer.isEmpty() || issuer.length() > 128) {
            throw new ConfigException(sub.key("issuer"), "must be 1 to 128 characters");
        }
        ConfigSection keysSection = sub.section("keys", true);
        java.util.Map<String, String> keys = new java.util.LinkedHashMap<>();
        for (String kid : keysSection.keys()) {
            keys.put(kid, keysSection.string(kid, null));
        }
        if (keys.isEmpty()) {
            throw new ConfigException(sub.key("keys"), "needs at least one key id with its Ed25519 public key");
        }
        PinnedKeys pinned;
        try {
            pinned = PinnedKeys.parse(keys);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage() == null ? "invalid" : e.getMessage();
            String kid = message.startsWith("key '") ? message.substring(5, message.indexOf('\'', 5)) : "";
            throw new ConfigException(kid.isEmpty() ? sub.key("keys") : sub.key("keys") + "." + kid, message);
        }
        Path tokenFile = baseDir.resolve(sub.string("tokenFile", storeFolder.resolve(
                SubscriptionSettings.DEFAULT_TOKEN_FILE).toString())).normalize();
        Path clockFile = baseDir.resolve(sub.string("clockFile", storeFolder.resolve(
                SubscriptionSettings.DEFAULT_CLOCK_FILE).toString())).normalize();
        if (tokenFile.toAbsolutePath().equals(clockFile.toAbsolutePath())) {
            throw new ConfigException(sub.key("clockFile"), "must not be the token file");
        }
        Duration tolerance = sub.duration("clockTolerance", TrustedClock.DEFAULT_TOLERANCE,
                SubscriptionSettings.MIN_CLOCK_TOLERANCE, SubscriptionSettings.MAX_CLOCK_TOLERANCE);
        Duration lead = sub.duration("tokenTimeLead", TrustedClock.DEFAULT_TOKEN_LEAD, Duration.ZERO,
                SubscriptionSettings.MAX_TOKEN_TIME_LEAD);
        Duration challenge = sub.duration("timeChallengeValidity", SubscriptionSettings.DEFAULT_TIME_CHALLENGE_VALIDITY,
                SubscriptionSettings.MIN_TIME_CHALLENGE_VALIDITY, SubscriptionSettings.MAX_TIME_CHALLENGE_VALIDITY);
        sub.done();
        return Optional.of(new SubscriptionSettings(issuer, pinned, tokenFile, clockFile, tolerance, lead, challenge));
    }
}
