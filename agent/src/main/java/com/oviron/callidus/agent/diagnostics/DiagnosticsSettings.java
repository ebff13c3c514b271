package com.oviron.callidus.agent.diagnostics;

import com.oviron.callidus.agent.ConfigException;
import com.oviron.callidus.agent.ConfigSection;
import com.oviron.callidus.agent.alarms.AlarmRule;
import com.oviron.callidus.agent.alarms.AlarmRules;
import com.oviron.callidus.agent.usage.UsageSettings;
import com.oviron.callidus.store.diagnostics.DiagnosticsStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code diagnostics} section of the configuration (docs/configuration.md): alarm rules, usage counters,
 * how long aggregates are kept, how often the usage counters are stored and the heartbeat is sent, the
 * report export folder and the self-test's limits. The section is optional: without it the shipped defaults
 * apply.
 *
 * @param channels        the unit's channels with their valid ranges, as the configuration knows them
 * @param rules           the alarm rules
 * @param usage           which signals drive the usage counters
 * @param retention       how long minute, hour and day aggregates are kept
 * @param flushInterval   how often the counted time is stored (and at most lost by a crash)
 * @param heartbeatInterval how often the heartbeat event is sent
 * @param exportFolder    where the console's report pages are copied (a USB stick's mount point), if anywhere
 * @param minFreeBytes    the self-test's disk space limit
 * @param file            the diagnostics database ({@code diagnostics.db} next to the store)
 */
public record DiagnosticsSettings(List<ChannelInfo> channels, List<AlarmRule> rules, UsageSettings usage,
                                  DiagnosticsStore.Retention retention, Duration flushInterval,
                                  Duration heartbeatInterval, Optional<Path> exportFolder, long minFreeBytes,
                                  Path file) {
    public static final Duration DEFAULT_KEEP_MINUTES = Duration.ofDays(7);
    public static final Duration DEFAULT_KEEP_HOURS = Duration.ofDays(90);
    public static final Duration DEFAULT_KEEP_DAYS = Duration.ofDays(365);
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMinutes(1);
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofHours(24);
    public static final long DEFAULT_MIN_FREE_MB = 200;

    public DiagnosticsSettings {
        channels = List.copyOf(channels);
        rules = List.copyOf(rules);
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(exportFolder, "exportFolder");
        Objects.requireNonNull(file, "file");
    }

    /**
     * The channels of the configured sensor source with their valid ranges: the register map's, or for the
     * simulated board the shipped map's (it simulates that board).
     */
    public static List<ChannelInfo> channelsOf(Optional<com.oviron.callidus.hal.modbus.RegisterMap> map) {
        try {
            if (map.isPresent()) {
                return ChannelInfo.of(map.get().channels().stream().map(c -> c.channel()).toList(), map.get());
            }
            return ChannelInfo.of(com.oviron.callidus.hal.sim.SimulatedCallidusBoard.CHANNELS,
                    com.oviron.callidus.hal.modbus.RegisterMapLoader.loadDefault());
        } catch (com.oviron.callidus.hal.modbus.RegisterMapException e) {
            throw new IllegalStateException("the shipped register map cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the section.
     *
     * @param channels        the channels of the configured sensor source with their valid ranges
     * @param gpioInputs      the configured GPIO input names
     * @param gpioTreatment   whether {@code gpio.treatmentInputs} names inputs
     * @param treatmentHoldOff {@code gpio.treatmentHoldOff}
     * @param baseDir         the configuration file's folder (relative paths)
     * @param stateFolder     the store's folder
     */
    public static DiagnosticsSettings read(ConfigSection s, List<ChannelInfo> channels, Set<String> gpioInputs,
                                           boolean gpioTreatment, Duration treatmentHoldOff, Path baseDir,
                                           Path stateFolder) throws ConfigException {
        ErrorCatalog catalog = ErrorCatalog.shipped();
        List<AlarmRule> rules = AlarmRules.read(s.section("alarms", false), channels, gpioInputs, catalog);
        UsageSettings usage = UsageSettings.read(s.section("usage", false), channels, gpioInputs, gpioTreatment,
                treatmentHoldOff);
        ConfigSection a = s.section("aggregates", false);
        Duration minutes = a.duration("keepMinutes", DEFAULT_KEEP_MINUTES, Duration.ofHours(1), Duration.ofDays(3650));
        Duration hours = a.duration("keepHours", DEFAULT_KEEP_HOURS, Duration.ofHours(1), Duration.ofDays(3650));
        Duration days = a.duration("keepDays", DEFAULT_KEEP_DAYS, Duration.ofDays(1), Duration.ofDays(3650));
        if (hours.compareTo(minutes) < 0) {
            throw new ConfigException(a.key("keepHours"), "must not be below keepMinutes (hours are made of minutes)");
        }
        if (days.compareTo(hours) < 0) {
            throw new ConfigException(a.key("keepDays"), "must not be below keepHours (days are made of hours)");
        }
        a.done();
        Duration flush = s.duration("flushInterval", DEFAULT_FLUSH_INTERVAL, Duration.ofSeconds(1),
                Duration.ofHours(1));
        Duration heartbeat = s.duration("heartbeatInterval", DEFAULT_HEARTBEAT_INTERVAL, Duration.ofSeconds(1),
                Duration.ofDays(7));
        ConfigSection r = s.section("reports", false);
        String export = r.string("exportFolder", "");
        r.done();
        ConfigSection t = s.section("selftest", false);
        long minFreeMb = t.integer("minFreeMb", DEFAULT_MIN_FREE_MB, 0, 1L << 20);
        t.done();
        s.done();
        return new DiagnosticsSettings(channels, rules, usage, new DiagnosticsStore.Retention(minutes.toMillis(),
                hours.toMillis(), days.toMillis()), flush, heartbeat,
                export.isEmpty() ? Optional.empty() : Optional.of(baseDir.resolve(export).normalize()),
                minFreeMb << 20, stateFolder.resolve("diagnostics.db"));
    }
}
