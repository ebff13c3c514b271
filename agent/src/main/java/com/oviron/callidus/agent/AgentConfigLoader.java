package com.oviron.callidus.agent;

import com.oviron.callidus.agent.logging.SwitchableConsoleWriter;
import com.oviron.callidus.agent.media.DisplaySettings;
import com.oviron.callidus.agent.media.DisplaySpec;
import com.oviron.callidus.agent.media.XrayCaptureSettings;
import com.oviron.callidus.agent.media.XraySettings;
import com.oviron.callidus.agent.settings.SettingsSyncSettings;
import com.oviron.callidus.cloud.files.FileKind;
import com.oviron.callidus.cloud.files.FileTransferSettings;
import com.oviron.callidus.agent.subscription.PinnedKeys;
import com.oviron.callidus.agent.update.UpdateSettings;
import com.oviron.callidus.agent.subscription.SubscriptionSettings;
import com.oviron.callidus.agent.subscription.TrustedClock;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.oviron.callidus.cloud.TlsSettings;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.hal.GpioLine;
import com.oviron.callidus.hal.GpioPull;
import com.oviron.callidus.hal.SerialSettings;
import com.oviron.callidus.hal.StrictJson;
import com.oviron.callidus.hal.modbus.RegisterMap;
import com.oviron.callidus.hal.modbus.RegisterMapException;
import com.oviron.callidus.hal.modbus.RegisterMapLoader;
import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.RetentionSettings;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the agent's JSON configuration file into an {@link AgentConfig}. Every problem is reported with its
 * dotted key, the value found and what is allowed; unknown keys are errors too (a typo must not silently
 * fall back to a default). Defaults are the named constants below, documented in docs/configuration.md.
 */
public final class AgentConfigLoader {
    public static final String DEFAULT_HAL_SOURCE = "simulator";
    public static final long DEFAULT_HAL_SEED = 1;
    public static final Duration DEFAULT_SAMPLE_PERIOD = Duration.ofMillis(100);
    public static final Durability DEFAULT_DURABILITY = Durability.FULL;
    public static final int DEFAULT_GROUP_COMMIT_READINGS = 1_000;
    public static final Duration DEFAULT_GROUP_COMMIT_DELAY = Duration.ofSeconds(1);
    public static final int DEFAULT_MEMORY_BUFFER_READINGS = 100_000;
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RECONNECT_MIN = Duration.ofSeconds(1);
    public static final Duration DEFAULT_RECONNECT_MAX = Duration.ofMinutes(2);
    public static final int DEFAULT_MAX_INFLIGHT = 64;
    public static final int DEFAULT_BATCH_MAX_READINGS = 500;
    public static final int DEFAULT_IN_FLIGHT_WINDOW = 8;
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofSeconds(1);
    public static final String DEFAULT_LOG_LEVEL = "info";
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(5);

    /** Paho in-flight slots kept free for the status, channel catalog, health and event messages. */
    public static final int RESERVED_INFLIGHT = 4;

    private static final List<String> HAL_SOURCES = List.of("simulator", "modbus");
    public static final int DEFAULT_BAUD_RATE = 115_200;
    public static final long DEFAULT_STORE_MAX_MB = 512;
    public static final Duration DEFAULT_STORE_MAX_AGE = Duration.ofDays(30);
    public static final Duration DEFAULT_AGGREGATE_MAX_AGE = Duration.ofDays(365);
    /** Largest X-ray image received or sent, in MiB. */
    public static final long DEFAULT_XRAY_MAX_FILE_MB = 64;
    /** Publishes per second of the whole connection: below AWS IoT Core's 100 per connection. */
    public static final int DEFAULT_LINK_PUBLISHES_PER_SECOND = 80;
    public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofMinutes(1);
    /** Half of AWS IoT Core's 100 publishes per second per connection: room for everything else. */
    public static final int DEFAULT_MAX_PUBLISHES_PER_SECOND = 50;
    public static final String DEFAULT_GPIO_PROVIDER = "none";
    public static final Duration DEFAULT_GPIO_DEBOUNCE = Duration.ofMillis(20);
    public static final Duration DEFAULT_TREATMENT_HOLD_OFF = Duration.ofSeconds(30);
    public static final int DEFAULT_SLAVE_ID = 1;
    public static final Duration DEFAULT_MODBUS_TIMEOUT = Duration.ofMillis(100);
    public static final int DEFAULT_MODBUS_RETRIES = 2;
    public static final int DEFAULT_MODBUS_MAX_GAP = 8;
    public static final Duration DEFAULT_REOPEN_MIN = Duration.ofSeconds(1);
    public static final Duration DEFAULT_REOPEN_MAX = Duration.ofSeconds(30);
    private static final List<String> LOG_LEVELS = SwitchableConsoleWriter.LEVELS;
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)");

    private AgentConfigLoader() {
    }

    /** Reads and validates the file; relative paths inside it are resolved against the file's folder. */
    public static AgentConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("", "config file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("", "cannot read config file " + file + ": " + e.getMessage());
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(text, base == null ? Path.of(".") : base);
    }

    /** Parses and validates JSON text; relative paths are resolved against {@code baseDir}. */
    public static AgentConfig parse(String json, Path baseDir) throws ConfigException {
        JsonElement root;
        try {
            root = StrictJson.parse(json);
        } catch (StrictJson.DuplicateKeyException e) {
            throw new ConfigException(e.key(), "appears twice; keep one");
        } catch (IOException | IllegalStateException | JsonParseException e) {
            throw new ConfigException("", "config file is not valid JSON: " + rootCause(e));
        }
        if (!root.isJsonObject()) {
            throw new ConfigException("", "config file must hold a JSON object, e.g. {\"device\": {\"id\": ...}}");
        }
        Section top = new Section("", root.getAsJsonObject());

        Section device = top.section("device", true);
        String id = device.string("id", null);
        if (!Topics.isValidDeviceId(id)) {
            throw new ConfigException("device.id", "'" + id + "' is not a valid device id: use 1 to 64 letters, "
                    + "digits, '-' or '_' (the unit's serial number, e.g. CAL-000123)");
        }
        device.done();

        Section hal = top.section("hal", false);
        String source = hal.oneOf("source", DEFAULT_HAL_SOURCE, HAL_SOURCES);
        long seed = hal.integer("seed", DEFAULT_HAL_SEED, Long.MIN_VALUE, Long.MAX_VALUE);
        Duration samplePeriod = hal.duration("samplePeriod", DEFAULT_SAMPLE_PERIOD, Duration.ofMillis(10),
                Duration.ofHours(1));
        Optional<AgentConfig.Modbus> modbus = Optional.empty();
        Section serial = hal.section("serial", false);
        Section mb = hal.section("modbus", false);
        // a serial/modbus section is validated whenever it is there, so switching hal.source back and forth
        // never meets a half-checked section
        if (source.equals("modbus") || serial.isPresent() || mb.isPresent()) {
            String serialDevice = serial.string("device", null);
            int baud = (int) serial.integer("baudRate", DEFAULT_BAUD_RATE, 1200, 921_600);
            // Modbus RTU frames are 8-bit: 7 data bits cannot carry them
            int dataBits = (int) serial.integer("dataBits", 8, 8, 8);
            SerialSettings.Parity parity = SerialSettings.Parity.valueOf(serial.oneOf("parity", "NONE",
                    List.of("NONE", "EVEN", "ODD")));
            int stopBits = (int) serial.integer("stopBits", 1, 1, 2);
            int slaveId = (int) mb.integer("slaveId", DEFAULT_SLAVE_ID, 1, 247);
            Duration timeout = mb.duration("timeout", DEFAULT_MODBUS_TIMEOUT, Duration.ofMillis(10),
                    Duration.ofSeconds(10));
            int retries = (int) mb.integer("retries", DEFAULT_MODBUS_RETRIES, 0, 10);
            int maxGap = (int) mb.integer("maxGap", DEFAULT_MODBUS_MAX_GAP, 0, 100);
            Duration reopenMin = mb.duration("reopenMin", DEFAULT_REOPEN_MIN, Duration.ofMillis(10),
                    Duration.ofMinutes(10));
            Duration reopenMax = mb.duration("reopenMax", DEFAULT_REOPEN_MAX, Duration.ofMillis(10),
                    Duration.ofHours(1));
            if (reopenMax.compareTo(reopenMin) < 0) {
                throw new ConfigException("hal.modbus.reopenMax", format(reopenMax) + " must not be below "
                        + "hal.modbus.reopenMin (" + format(reopenMin) + ")");
            }
            String mapText = mb.string("registerMap", "");
            RegisterMap map;
            try {
                map = mapText.isEmpty() ? RegisterMapLoader.loadDefault()
                        : RegisterMapLoader.load(baseDir.resolve(mapText).normalize());
            } catch (RegisterMapException e) {
                throw new ConfigException("hal.modbus.registerMap", e.getMessage());
            }
            modbus = Optional.of(new AgentConfig.Modbus(
                    new SerialSettings(serialDevice, baud, dataBits, parity, stopBits), slaveId, timeout, retries, maxGap,
                    reopenMin, reopenMax, map));
        }
        serial.done();
        mb.done();
        hal.done();

        Section store = top.section("store", true);
        String pathText = store.string("path", null);
        Path path = baseDir.resolve(pathText).normalize();
        Durability durability = Durability.valueOf(store.oneOf("durability", DEFAULT_DURABILITY.name(),
                List.of("FULL", "NORMAL")));
        int groupReadings = (int) store.integer("groupCommitReadings", DEFAULT_GROUP_COMMIT_READINGS, 1, 100_000);
        Duration groupDelay = store.duration("groupCommitDelay", DEFAULT_GROUP_COMMIT_DELAY, Duration.ZERO,
                Duration.ofMinutes(1));
        int memoryBuffer = (int) store.integer("memoryBufferReadings", DEFAULT_MEMORY_BUFFER_READINGS, 1,
                10_000_000);
        if (memoryBuffer < groupReadings) {
            throw new ConfigException("store.memoryBufferReadings", memoryBuffer + " must be at least "
                    + "store.groupCommitReadings (" + groupReadings + ")");
        }
        long maxSizeMb = store.integer("maxSizeMb", DEFAULT_STORE_MAX_MB, 1, 1_000_000);
        Duration maxAge = store.duration("maxAge", DEFAULT_STORE_MAX_AGE, Duration.ofHours(1), Duration.ofDays(3650));
        Duration aggregateMaxAge = store.duration("aggregateMaxAge", DEFAULT_AGGREGATE_MAX_AGE, Duration.ofHours(1),
                Duration.ofDays(3650));
        if (aggregateMaxAge.compareTo(maxAge) < 0) {
            throw new ConfigException("store.aggregateMaxAge", format(aggregateMaxAge) + " must not be below "
                    + "store.maxAge (" + format(maxAge) + ")");
        }
        RetentionSettings retention = new RetentionSettings(maxSizeMb * 1024 * 1024, maxAge, aggregateMaxAge);
        store.done();

        Section mqtt = top.section("mqtt", true);
        String brokerUri = mqtt.string("brokerUri", null);
        validateBrokerUri(brokerUri);
        boolean allowPlainTcp = mqtt.bool("allowPlainTcp", false);
        Optional<TlsSettings> tls = tls(mqtt.section("tls", false), baseDir);
        if (brokerUri.startsWith("tcp://") && !allowPlainTcp) {
            throw new ConfigException("mqtt.brokerUri", "'" + brokerUri + "' is plain TCP: use ssl://host:port with "
                    + "mqtt.tls, or set mqtt.allowPlainTcp to true (development only)");
        }
        if (brokerUri.startsWith("ssl://") && tls.isEmpty()) {
            throw new ConfigException("mqtt.tls", "is missing; an ssl:// broker needs at least mqtt.tls.caCertificate");
        }
        if (brokerUri.startsWith("tcp://") && tls.isPresent()) {
            throw new ConfigException("mqtt.tls", "is for ssl:// brokers; the broker URI is plain TCP");
        }
        // Paho takes whole seconds: keepAlive and connectTimeout are rounded down to them
        Duration keepAlive = mqtt.duration("keepAlive", DEFAULT_KEEP_ALIVE, Duration.ofSeconds(5),
                Duration.ofMinutes(20));
        Duration connectTimeout = mqtt.duration("connectTimeout", DEFAULT_CONNECT_TIMEOUT, Duration.ofSeconds(1),
                Duration.ofMinutes(5));
        Duration reconnectMin = mqtt.duration("reconnectMin", DEFAULT_RECONNECT_MIN, Duration.ofMillis(10),
                Duration.ofMinutes(10));
        Duration reconnectMax = mqtt.duration("reconnectMax", DEFAULT_RECONNECT_MAX, Duration.ofMillis(10),
                Duration.ofHours(1));
        if (reconnectMax.compareTo(reconnectMin) < 0) {
            throw new ConfigException("mqtt.reconnectMax", format(reconnectMax) + " must not be below "
                    + "mqtt.reconnectMin (" + format(reconnectMin) + ")");
        }
        Optional<String> username = Optional.ofNullable(mqtt.string("username", ""))
                .filter(s -> !s.isEmpty());
        Optional<String> password = Optional.ofNullable(mqtt.string("password", "")).filter(s -> !s.isEmpty());
        int maxInflight = (int) mqtt.integer("maxInflight", DEFAULT_MAX_INFLIGHT, 1 + RESERVED_INFLIGHT, 65_535);
        boolean persistentSession = mqtt.bool("persistentSession", true);
        int linkPublishesPerSecond = (int) mqtt.integer("maxPublishesPerSecond", DEFAULT_LINK_PUBLISHES_PER_SECOND, 0,
                10_000);
        mqtt.done();

        Section sync = top.section("sync", false);
        int batchMax = (int) sync.integer("batchMaxReadings", DEFAULT_BATCH_MAX_READINGS, 1, 1_000);
        int window = (int) sync.integer("inFlightWindow", DEFAULT_IN_FLIGHT_WINDOW, 1, 1_000);
        if (window > maxInflight - RESERVED_INFLIGHT) {
            throw new ConfigException("sync.inFlightWindow", window + " must be at most mqtt.maxInflight - "
                    + RESERVED_INFLIGHT + " (" + (maxInflight - RESERVED_INFLIGHT) + "): the status, channel "
                    + "catalog, health and event messages need room too");
        }
        Duration interval = sync.duration("interval", DEFAULT_SYNC_INTERVAL, Duration.ofMillis(10),
                Duration.ofHours(1));
        int maxPublishesPerSecond = (int) sync.integer("maxPublishesPerSecond", DEFAULT_MAX_PUBLISHES_PER_SECOND, 0,
                10_000);
        Duration healthInterval = sync.duration("healthInterval", DEFAULT_HEALTH_INTERVAL, Duration.ofMillis(100),
                Duration.ofHours(24));
        sync.done();
        if (linkPublishesPerSecond > 0 && maxPublishesPerSecond > linkPublishesPerSecond) {
            throw new ConfigException("sync.maxPublishesPerSecond", maxPublishesPerSecond + " must be at most"
                    + " mqtt.maxPublishesPerSecond (" + linkPublishesPerSecond + "), the limit of the whole connection");
        }

        AgentConfig.Gpio gpio = gpio(top.section("gpio", false));

        Section log = top.section("log", false);
        String level = log.oneOf("level", DEFAULT_LOG_LEVEL, LOG_LEVELS);
        log.done();

        Path stateFolder = path.toAbsolutePath().getParent();
        Optional<SubscriptionSettings> subscription = subscription(top.section("subscription", false), baseDir,
                stateFolder);
        Optional<SettingsSyncSettings> settingsSync = settingsSync(top.section("settings", false), baseDir);
        Optional<DisplaySettings> display = display(top.section("display", false), baseDir, stateFolder);
        Section xraySection = top.section("xray", false);
        Optional<XraySettings> xray = xray(xraySection, baseDir, stateFolder);
        Optional<XrayCaptureSettings> xrayCapture = xrayCapture(xraySection, baseDir);
        xraySection.done();
        Optional<UpdateSettings> update = update(top.section("update", false), baseDir);
        Optional<com.oviron.callidus.agent.console.ConsoleSettings> console = console(top.section("console", false));
        FileTransferSettings files = files(top.section("files", false), stateFolder, display, xray, update);

        Section shutdown = top.section("shutdown", false);
        Duration drain = shutdown.duration("drainTimeout", DEFAULT_DRAIN_TIMEOUT, Duration.ZERO,
                Duration.ofMinutes(5));
        shutdown.done();
        top.done();

        return new AgentConfig(
                new AgentConfig.Device(id),
                new AgentConfig.Hal(source, seed, samplePeriod, modbus),
                new AgentConfig.Store(path, durability, groupReadings, groupDelay, memoryBuffer, retention),
                new AgentConfig.Mqtt(brokerUri, keepAlive, connectTimeout, reconnectMin, reconnectMax, username,
                        password, maxInflight, tls, persistentSession, linkPublishesPerSecond),
                new AgentConfig.Sync(batchMax, window, interval, healthInterval, maxPublishesPerSecond),
                gpio,
                new AgentConfig.Log(level),
                new AgentConfig.Shutdown(drain),
                subscription,
                new AgentConfig.Cloud(settingsSync, files, display, xray, xrayCapture, update),
                console);
    }

    /**
     * The update section: the A/B slot root, this unit's hardware id and the pinned package keys; absent means
     * remote updates are off.
     */
    private static Optional<UpdateSettings> update(Section s, Path baseDir) throws ConfigException {
        if (!s.isPresent()) {
            return Optional.empty();
        }
        String root = s.string("root", UpdateSettings.DEFAULT_ROOT.toString());
        String hardwareId = s.string("hardwareId", null);
        if (hardwareId == null || hardwareId.isEmpty()) {
            throw new ConfigException(s.key("hardwareId"), "is missing; it is required (the hardware id update"
                    + " packages must name, e.g. \"callidus-v1\")");
        }
        Section keysSection = s.section("keys", true);
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
    private static Optional<com.oviron.callidus.agent.console.ConsoleSettings> console(Section s)
            throws ConfigException {
        if (!s.isPresent()) {
            return Optional.empty();
        }
        String device = s.string("device", null);
        if (device == null || device.isEmpty()) {
            throw new ConfigException(s.key("device"), "is missing; it is required (the console's serial device,"
                    + " e.g. /dev/ttyS1 or /dev/ttyGS0)");
        }
        int baud = (int) s.integer("baudRate", DEFAULT_BAUD_RATE, 1200, 921_600);
        s.done();
        return Optional.of(com.oviron.callidus.agent.console.ConsoleSettings.of(device, baud));
    }

    /** The settings section: the folder of the unit's settings documents; absent means no settings sync. */
    private static Optional<SettingsSyncSettings> settingsSync(Section s, Path baseDir) throws ConfigException {
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
    private static Optional<DisplaySettings> display(Section s, Path baseDir, Path stateFolder)
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
    private static Optional<XraySettings> xray(Section s, Path baseDir, Path stateFolder) throws ConfigException {
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
        long maxFileMb = s.integer("maxFileMb", DEFAULT_XRAY_MAX_FILE_MB, 1, 1024);
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
    private static Optional<XrayCaptureSettings> xrayCapture(Section s, Path baseDir) throws ConfigException {
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
    private static FileTransferSettings files(Section s, Path stateFolder, Optional<DisplaySettings> display,
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
    private static Optional<SubscriptionSettings> subscription(Section sub, Path baseDir, Path storeFolder)
            throws ConfigException {
        if (!sub.isPresent()) {
            return Optional.empty();
        }
        String issuer = sub.string("issuer", SubscriptionSettings.DEFAULT_ISSUER);
        if (issuer.isEmpty() || issuer.length() > 128) {
            throw new ConfigException(sub.key("issuer"), "must be 1 to 128 characters");
        }
        Section keysSection = sub.section("keys", true);
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
        Duration tolerance = sub.duration("clockTolerance", TrustedClock.DEFAULT_TOLERANCE, Duration.ZERO,
                Duration.ofDays(1));
        Duration lead = sub.duration("tokenTimeLead", TrustedClock.DEFAULT_TOKEN_LEAD, Duration.ZERO,
                Duration.ofDays(7));
        sub.done();
        return Optional.of(new SubscriptionSettings(issuer, pinned, tokenFile, clockFile, tolerance, lead));
    }

    private static AgentConfig.Gpio gpio(Section gpio) throws ConfigException {
        String provider = gpio.oneOf("provider", DEFAULT_GPIO_PROVIDER, List.of("none", "mock", "gpiod"));
        Section linesSection = gpio.section("lines", false);
        List<GpioLine> lines = new ArrayList<>();
        for (String name : linesSection.keys()) {
            Section l = linesSection.section(name, true);
            String key = "gpio.lines." + name;
            boolean input = l.oneOf("direction", null, List.of("input", "output")).equals("input");
            long pin = l.integer("pin", -1, 0, GpioLine.MAX_PIN);
            if (pin < 0) {
                throw new ConfigException(key + ".pin", "is missing; it is required (BCM number 0.." + GpioLine.MAX_PIN
                        + ")");
            }
            boolean activeLow = l.bool("activeLow", false);
            Duration debounce = input ? l.duration("debounce", DEFAULT_GPIO_DEBOUNCE, Duration.ZERO,
                    GpioLine.MAX_DEBOUNCE) : Duration.ZERO;
            GpioPull pull = input ? GpioPull.valueOf(l.oneOf("pull", "NONE", List.of("NONE", "UP", "DOWN")))
                    : GpioPull.NONE;
            l.done();
            try {
                lines.add(input ? GpioLine.input(name, (int) pin, activeLow, debounce, pull)
                        : GpioLine.output(name, (int) pin, activeLow));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, e.getMessage());
            }
        }
        try {
            GpioLine.requireDistinct(lines);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("gpio.lines", e.getMessage());
        }
        List<String> treatment = gpio.stringList("treatmentInputs");
        for (String name : treatment) {
            if (lines.stream().noneMatch(l -> l.name().equals(name) && l.isInput())) {
                throw new ConfigException("gpio.treatmentInputs", "'" + name + "' is not an input line under "
                        + "gpio.lines");
            }
        }
        Duration holdOff = gpio.duration("treatmentHoldOff", DEFAULT_TREATMENT_HOLD_OFF, Duration.ZERO,
                Duration.ofHours(1));
        Optional<String> statusLed = Optional.of(gpio.string("statusLed", "")).filter(s -> !s.isEmpty());
        if (statusLed.isPresent()
                && lines.stream().noneMatch(l -> l.name().equals(statusLed.get()) && !l.isInput())) {
            throw new ConfigException("gpio.statusLed", "'" + statusLed.get() + "' is not an output line under "
                    + "gpio.lines");
        }
        gpio.done();
        return new AgentConfig.Gpio(provider, List.copyOf(lines), new java.util.LinkedHashSet<>(treatment), holdOff,
                statusLed);
    }

    /** The mqtt.tls section: files resolved against the config's folder and checked to be readable now. */
    private static Optional<TlsSettings> tls(Section tls, Path baseDir) throws ConfigException {
        if (!tls.isPresent()) {
            tls.done();
            return Optional.empty();
        }
        Path ca = readable(tls, "caCertificate", baseDir, true).orElseThrow();
        Optional<Path> cert = readable(tls, "clientCertificate", baseDir, false);
        Optional<Path> key = readable(tls, "clientKey", baseDir, false);
        Optional<Path> p12 = readable(tls, "pkcs12", baseDir, false);
        Optional<String> p12Password = Optional.of(tls.string("pkcs12Password", "")).filter(s -> !s.isEmpty());
        boolean hostname = tls.bool("hostnameVerification", true);
        tls.done();
        if (cert.isPresent() != key.isPresent()) {
            throw new ConfigException(cert.isPresent() ? "mqtt.tls.clientKey" : "mqtt.tls.clientCertificate",
                    "is missing; a client certificate and its key go together");
        }
        if (p12.isPresent() && cert.isPresent()) {
            throw new ConfigException("mqtt.tls.pkcs12", "give the unit's identity either as PEM files "
                    + "(clientCertificate, clientKey) or as pkcs12, not both");
        }
        if (p12.isEmpty() && cert.isEmpty()) {
            throw new ConfigException("mqtt.tls.clientCertificate", "is missing; the broker needs the unit's "
                    + "certificate (clientCertificate and clientKey, or pkcs12)");
        }
        return Optional.of(new TlsSettings(ca, cert, key, p12, p12Password, hostname));
    }

    private static Optional<Path> readable(Section section, String name, Path baseDir, boolean required)
            throws ConfigException {
        String text = section.string(name, required ? null : "");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Path path = baseDir.resolve(text).normalize();
        if (!Files.isReadable(path)) {
            throw new ConfigException(section.key(name), "file " + path + " does not exist or cannot be read");
        }
        return Optional.of(path);
    }

    private static void validateBrokerUri(String uri) throws ConfigException {
        try {
            URI parsed = new URI(uri);
            boolean hasPath = parsed.getRawPath() != null && !parsed.getRawPath().isEmpty();
            boolean knownScheme = "ssl".equals(parsed.getScheme()) || "tcp".equals(parsed.getScheme());
            if (!knownScheme || parsed.getHost() == null || parsed.getPort() < 1 || hasPath
                    || parsed.getRawQuery() != null || parsed.getRawUserInfo() != null) {
                throw new ConfigException("mqtt.brokerUri", "'" + uri + "' must look like ssl://host:port (or "
                        + "tcp://host:port with mqtt.allowPlainTcp)");
            }
        } catch (URISyntaxException e) {
            throw new ConfigException("mqtt.brokerUri", "'" + uri + "' is not a URI: " + e.getReason());
        }
    }

    /** Parses the duration syntax of the configuration: "250ms", "5s", "2m", "1h" (no sign, no fraction). */
    public static Optional<Duration> parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        });
    }

    /** Formats a duration in the configuration's syntax, e.g. "250ms", "5s". */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0 && ms > 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0 && ms > 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    /** One JSON object of the file, remembering which keys were used so unknown ones can be reported. */
    private static final class Section {
        private final String prefix;
        private final JsonObject object;
        private final boolean present;
        private final Set<String> used = new HashSet<>();

        Section(String prefix, JsonObject object) {
            this(prefix, object, true);
        }

        Section(String prefix, JsonObject object, boolean present) {
            this.prefix = prefix;
            this.object = object;
            this.present = present;
        }

        /** Whether the file has this section (a missing optional section reads as empty). */
        boolean isPresent() {
            return present;
        }

        String key(String name) {
            return prefix.isEmpty() ? name : prefix + "." + name;
        }

        Section section(String name, boolean required) throws ConfigException {
            used.add(name);
            JsonElement e = object.get(name);
            if (e == null || e.isJsonNull()) {
                if (required) {
                    throw new ConfigException(key(name), "is missing; it is required");
                }
                return new Section(key(name), new JsonObject(), false);
            }
            if (!e.isJsonObject()) {
                throw new ConfigException(key(name), "must be an object { ... }, got " + e);
            }
            return new Section(key(name), e.getAsJsonObject());
        }

        /** A string; {@code fallback == null} means required. */
        String string(String name, String fallback) throws ConfigException {
            used.add(name);
            JsonElement e = object.get(name);
            if (e == null || e.isJsonNull()) {
                if (fallback == null) {
                    throw new ConfigException(key(name), "is missing; it is required");
                }
                return fallback;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw new ConfigException(key(name), "must be a string, got " + e);
            }
            String s = e.getAsString();
            if (s.isBlank() && fallback == null) {
                throw new ConfigException(key(name), "must not be empty");
            }
            return s;
        }

        String oneOf(String name, String fallback, List<String> allowed) throws ConfigException {
            String s = string(name, fallback);
            for (String a : allowed) {
                if (a.equalsIgnoreCase(s)) {
                    return a;
                }
            }
            throw new ConfigException(key(name), "'" + s + "' is not allowed; use one of " + allowed);
        }

        long integer(String name, long fallback, long min, long max) throws ConfigException {
            used.add(name);
            JsonElement e = object.get(name);
            if (e == null || e.isJsonNull()) {
                return fallback;
            }
            long v;
            try {
                JsonPrimitive p = e.getAsJsonPrimitive();
                if (!p.isNumber()) {
                    throw new NumberFormatException();
                }
                v = p.getAsBigDecimal().longValueExact();
            } catch (IllegalStateException | NumberFormatException | ArithmeticException ex) {
                throw new ConfigException(key(name), "must be a whole number, got " + e);
            }
            if (v < min || v > max) {
                throw new ConfigException(key(name), v + " is out of range; allowed " + min + " to " + max);
            }
            return v;
        }

        Duration duration(String name, Duration fallback, Duration min, Duration max) throws ConfigException {
            used.add(name);
            JsonElement e = object.get(name);
            if (e == null || e.isJsonNull()) {
                return fallback;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw new ConfigException(key(name), "must be a duration string like \"250ms\", \"5s\", \"2m\", "
                        + "\"1h\", got " + e);
            }
            Duration d = parseDuration(e.getAsString().toLowerCase(Locale.ROOT)).orElseThrow(() ->
                    new ConfigException(key(name), "'" + e.getAsString() + "' is not a duration; write e.g. "
                            + "\"250ms\", \"5s\", \"2m\" or \"1h\""));
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new ConfigException(key(name), "'" + e.getAsString() + "' is out of range; allowed "
                        + format(min) + " to " + format(max));
            }
            return d;
        }

        /** The keys of this object, in file order (for sections whose keys are names, like gpio.lines). */
        List<String> keys() {
            return new ArrayList<>(object.keySet());
        }

        boolean bool(String name, boolean fallback) throws ConfigException {
            used.add(name);
            JsonElement e = object.get(name);
            if (e == null || e.isJsonNull()) {
                return fallback;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                throw new ConfigException(key(name), "must be true or false, got " + e);
            }
            return e.getAsBoolean();
        }

        List<String> stringList(String name) throws ConfigException {
            used.add(name);
            JsonElement e = object.get(name);
            if (e == null || e.isJsonNull()) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            if (e.isJsonArray()) {
                for (JsonElement item : e.getAsJsonArray()) {
                    if (!item.isJsonPrimitive() || !item.getAsJsonPrimitive().isString()) {
                        throw new ConfigException(key(name), "must be a list of strings, got " + e);
                    }
                    out.add(item.getAsString());
                }
                return out;
            }
            throw new ConfigException(key(name), "must be a list of strings, got " + e);
        }

        /** Fails on the first key of this object that nothing asked for. */
        void done() throws ConfigException {
            for (String k : object.keySet()) {
                if (!used.contains(k)) {
                    throw new ConfigException(key(k), "unknown key; known keys here are " + used.stream().sorted()
                            .toList());
                }
            }
        }
    }
}
