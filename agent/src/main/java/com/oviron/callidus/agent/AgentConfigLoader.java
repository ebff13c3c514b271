package com.oviron.callidus.agent;

import com.oviron.callidus.agent.logging.SwitchableConsoleWriter;
import com.oviron.callidus.agent.media.DisplaySettings;
import com.oviron.callidus.agent.media.XrayCaptureSettings;
import com.oviron.callidus.agent.media.XraySettings;
import com.oviron.callidus.agent.settings.SettingsSyncSettings;
import com.oviron.callidus.cloud.SyncSettings;
import com.oviron.callidus.cloud.TelemetryBatchCodec;
import com.oviron.callidus.cloud.files.FileTransferSettings;
import com.oviron.callidus.agent.update.UpdateSettings;
import com.oviron.callidus.agent.subscription.SubscriptionSettings;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.hal.GpioLine;
import com.oviron.callidus.hal.GpioPull;
import com.oviron.callidus.hal.SerialSettings;
import com.oviron.callidus.hal.StrictJson;
import com.oviron.callidus.hal.modbus.RegisterMap;
import com.oviron.callidus.hal.modbus.RegisterMapException;
import com.oviron.callidus.hal.modbus.RegisterMapLoader;
import com.oviron.callidus.hal.sim.SyntheticChannelsPort;
import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.RetentionSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the agent's JSON configuration file into an {@link AgentConfig}. Every problem is reported with its
 * dotted key, the value found and what is allowed; unknown keys are errors too (a typo must not silently
 * fall back to a default). Defaults are the named constants below, documented in docs/configuration.md.
 */
public final class AgentConfigLoader {
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
    /** The bounds of {@code mqtt.reconnectMin} and {@code mqtt.reconnectMax}. */
    public static final Duration RECONNECT_SHORTEST = Duration.ofMillis(10);
    public static final Duration RECONNECT_MIN_LONGEST = Duration.ofMinutes(10);
    public static final Duration RECONNECT_MAX_LONGEST = Duration.ofHours(1);
    public static final int DEFAULT_MAX_INFLIGHT = 64;
    /** The largest {@code mqtt.maxIncomingBytes} allowed. */
    public static final int MAX_INCOMING_BYTES = 16 * 1024 * 1024;
    public static final int DEFAULT_BATCH_MAX_READINGS = 500;
    public static final int DEFAULT_IN_FLIGHT_WINDOW = 8;
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofSeconds(10);
    public static final String DEFAULT_LOG_LEVEL = "info";
    /** The log file's size cap before it is rolled over (log.fileMaxMb). */
    public static final int DEFAULT_LOG_FILE_MAX_MB = 10;
    /** Rolled-over log files kept (log.fileBackups). */
    public static final int DEFAULT_LOG_FILE_BACKUPS = 3;
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(5);

    /** Paho in-flight slots kept free for the status, channel catalog, health and event messages. */
    public static final int RESERVED_INFLIGHT = 4;

    /** The sources of readings {@code hal.source} names; there is no default (an agent never invents data). */
    public static final List<String> HAL_SOURCES = List.of("modbus", "simulator");
    public static final int DEFAULT_BAUD_RATE = 115_200;
    public static final long DEFAULT_STORE_MAX_MB = 512;
    /** The reserve file next to the store (ADR 0016); the store makes it at most an eighth of its disk. */
    public static final long DEFAULT_STORE_RESERVE_MB = 16;
    public static final Duration DEFAULT_STORE_MAX_AGE = Duration.ofDays(30);
    public static final Duration DEFAULT_AGGREGATE_MAX_AGE = Duration.ofDays(365);
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
        ConfigSection top = new ConfigSection("", root.getAsJsonObject());

        ConfigSection device = top.section("device", true);
        String id = device.string("id", null);
        if (!Topics.isValidDeviceId(id)) {
            throw new ConfigException("device.id", "'" + id + "' is not a valid device id: use 1 to 64 letters, "
                    + "digits, '-' or '_' (the unit's serial number, e.g. CAL-000123)");
        }
        device.done();

        ConfigSection hal = top.section("hal", false);
        String source = halSource(top, hal);
        long seed = hal.integer("seed", DEFAULT_HAL_SEED, Long.MIN_VALUE, Long.MAX_VALUE);
        Duration samplePeriod = hal.duration("samplePeriod", DEFAULT_SAMPLE_PERIOD, Duration.ofMillis(10),
                Duration.ofHours(1));
        String simulatorSchedule = hal.oneOf("simulatorSchedule", "every-sample", List.of("every-sample", "register-map"));
        int simulatorExtraChannels = (int) hal.integer("simulatorExtraChannels", 0, 0,
                SyntheticChannelsPort.MAX_COUNT);
        if (simulatorExtraChannels > 0 && !source.equals("simulator")) {
            throw new ConfigException("hal.simulatorExtraChannels", "adds made-up channels to the simulator only;"
                    + " remove it, or set hal.source to \"simulator\"");
        }
        Optional<AgentConfig.Modbus> modbus = Optional.empty();
        ConfigSection serial = hal.section("serial", false);
        ConfigSection mb = hal.section("modbus", false);
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
        Optional<RegisterMap> simulatorMap = Optional.empty();
        if (simulatorSchedule.equals("register-map")) {
            try {
                simulatorMap = Optional.of(modbus.isPresent() ? modbus.get().map() : RegisterMapLoader.loadDefault());
            } catch (RegisterMapException e) {
                throw new ConfigException("hal.simulatorSchedule", e.getMessage());
            }
        }

        ConfigSection store = top.section("store", true);
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
        long reserveMb = store.integer("reserveMb", DEFAULT_STORE_RESERVE_MB, 1, 1024);
        store.done();

        AgentConfig.Mqtt mqtt = MqttConfigSection.read(top.section("mqtt", true), baseDir);
        int maxInflight = mqtt.maxInflight();
        int linkPublishesPerSecond = mqtt.maxPublishesPerSecond();

        ConfigSection sync = top.section("sync", false);
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
        int catchUpMaxReadings = (int) sync.integer("catchUpMaxReadings", SyncSettings.DEFAULT_CATCH_UP_MAX_READINGS,
                1, SyncSettings.CATCH_UP_READINGS_LIMIT);
        int catchUpMaxBytes = (int) sync.integer("catchUpMaxBytes", SyncSettings.DEFAULT_CATCH_UP_MAX_BYTES,
                SyncSettings.MIN_CATCH_UP_BYTES, TelemetryBatchCodec.MAX_PAYLOAD_BYTES);
        sync.done();
        if (linkPublishesPerSecond > 0 && maxPublishesPerSecond > linkPublishesPerSecond) {
            throw new ConfigException("sync.maxPublishesPerSecond", maxPublishesPerSecond + " must be at most"
                    + " mqtt.maxPublishesPerSecond (" + linkPublishesPerSecond + "), the limit of the whole connection");
        }

        AgentConfig.Gpio gpio = gpio(top.section("gpio", false));

        ConfigSection log = top.section("log", false);
        String level = log.oneOf("level", DEFAULT_LOG_LEVEL, LOG_LEVELS);
        String logFileText = log.string("file", "");
        Optional<Path> logFile = logFileText.isBlank() ? Optional.empty()
                : Optional.of(baseDir.resolve(logFileText).normalize());
        if (logFile.isPresent() && (Files.isDirectory(logFile.get()) || logFile.get().getFileName() == null)) {
            throw new ConfigException("log.file", "'" + logFileText + "' is a folder; name a file, e.g."
                    + " /var/log/callidus/agent.log");
        }
        int logFileMaxMb = (int) log.integer("fileMaxMb", DEFAULT_LOG_FILE_MAX_MB, 1, 1024);
        int logFileBackups = (int) log.integer("fileBackups", DEFAULT_LOG_FILE_BACKUPS, 0, 100);
        log.done();

        Path stateFolder = path.toAbsolutePath().getParent();
        Optional<SubscriptionSettings> subscription = ServiceConfigSections.subscription(top.section("subscription", false), baseDir,
                stateFolder);
        Optional<SettingsSyncSettings> settingsSync = ServiceConfigSections.settingsSync(top.section("settings", false), baseDir);
        Optional<DisplaySettings> display = ServiceConfigSections.display(top.section("display", false), baseDir, stateFolder);
        ConfigSection xraySection = top.section("xray", false);
        Optional<XraySettings> xray = ServiceConfigSections.xray(xraySection, baseDir, stateFolder);
        Optional<XrayCaptureSettings> xrayCapture = ServiceConfigSections.xrayCapture(xraySection, baseDir);
        xraySection.done();
        Optional<UpdateSettings> update = ServiceConfigSections.update(top.section("update", false), baseDir);
        Optional<com.oviron.callidus.agent.console.ConsoleSettings> console = ServiceConfigSections.console(top.section("console", false));
        FileTransferSettings files = ServiceConfigSections.files(top.section("files", false), stateFolder, display, xray, update);
        Optional<com.oviron.callidus.agent.access.AccessSettings> access = AccessConfigSection.read(
                top.section("access", false), baseDir, stateFolder, gpio);

        com.oviron.callidus.agent.diagnostics.DiagnosticsSettings diagnostics = com.oviron.callidus.agent.diagnostics
                .DiagnosticsSettings.read(top.section("diagnostics", false), com.oviron.callidus.agent.diagnostics
                        .DiagnosticsSettings.channelsOf(modbus.map(AgentConfig.Modbus::map)), gpio.lines().stream()
                        .filter(GpioLine::isInput).map(GpioLine::name).collect(java.util.stream.Collectors.toSet()),
                        !gpio.treatmentInputs().isEmpty(), gpio.treatmentHoldOff(), baseDir, stateFolder);

        ConfigSection shutdown = top.section("shutdown", false);
        Duration drain = shutdown.duration("drainTimeout", DEFAULT_DRAIN_TIMEOUT, Duration.ZERO,
                Duration.ofMinutes(5));
        shutdown.done();
        top.done();

        return new AgentConfig(
                new AgentConfig.Device(id),
                new AgentConfig.Hal(source, seed, samplePeriod, modbus, simulatorMap, simulatorExtraChannels),
                new AgentConfig.Store(path, durability, groupReadings, groupDelay, memoryBuffer, retention,
                        reserveMb * 1024 * 1024),
                mqtt,
                new AgentConfig.Sync(batchMax, window, interval, healthInterval, maxPublishesPerSecond,
                        catchUpMaxReadings, catchUpMaxBytes),
                gpio,
                new AgentConfig.Log(level, logFile, logFileMaxMb, logFileBackups),
                new AgentConfig.Shutdown(drain),
                subscription,
                new AgentConfig.Cloud(settingsSync, files, display, xray, xrayCapture, update),
                console, diagnostics, access);
    }

    /**
     * hal.source has no default: without it an agent on a unit would sample the simulator and send made-up
     * readings to the real cloud. The simulator is chosen by name, like every development convenience.
     */
    private static String halSource(ConfigSection top, ConfigSection hal) throws ConfigException {
        String text = hal.string("source", "");
        if (text.isBlank()) {
            // a misspelt "hal" or "source" is named as the typo it is
            throw (hal.isPresent() ? hal.typo("source") : top.typo("hal")).orElseGet(() -> new ConfigException(
                    "hal.source", "is missing; say where readings come from: one of " + HAL_SOURCES + ": \"modbus\" "
                    + "(the unit's board on its serial line) or \"simulator\" (made-up readings: development and "
                    + "tests only), e.g. \"hal\": {\"source\": \"modbus\", \"serial\": {\"device\": "
                    + "\"/dev/ttyS1\"}}"));
        }
        return hal.oneOf("source", null, HAL_SOURCES);
    }

    private static AgentConfig.Gpio gpio(ConfigSection gpio) throws ConfigException {
        String provider = gpio.oneOf("provider", DEFAULT_GPIO_PROVIDER, List.of("none", "mock", "gpiod"));
        ConfigSection linesSection = gpio.section("lines", false);
        List<GpioLine> lines = new ArrayList<>();
        for (String name : linesSection.keys()) {
            ConfigSection l = linesSection.section(name, true);
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

}
