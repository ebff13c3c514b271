package com.oviron.callidus.agent.alarms;

import com.google.gson.JsonObject;
import com.oviron.callidus.agent.ConfigException;
import com.oviron.callidus.agent.ConfigSection;
import com.oviron.callidus.agent.diagnostics.ChannelInfo;
import com.oviron.callidus.agent.diagnostics.Codes;
import com.oviron.callidus.agent.diagnostics.ErrorCatalog;
import com.oviron.callidus.hal.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the alarm rules: the shipped defaults for the CALLIDUS channels ({@value #DEFAULTS}) and the
 * configuration's {@code diagnostics.alarms} section, which replaces the defaults of each channel, of the
 * board and of each GPIO line it names ({@code "defaults": false} drops every shipped rule). Every problem is
 * a {@link ConfigException} naming the key. Shipped rules for a channel or GPIO line the unit does not have
 * are left out; configured ones are errors.
 */
public final class AlarmRules {
    public static final String DEFAULTS = "/com/oviron/callidus/agent/alarms/default-alarm-rules.json";
    static final List<String> CHANNEL_RULES = List.of("high", "low", "rate", "stuck", "outOfRange");
    private static final Duration MAX_FOR = Duration.ofHours(1);

    private AlarmRules() {
    }

    /**
     * @param section    {@code diagnostics.alarms} (possibly absent)
     * @param channels   the unit's channels with their valid ranges
     * @param gpioInputs names of the configured GPIO inputs
     */
    public static List<AlarmRule> read(ConfigSection section, List<ChannelInfo> channels, Set<String> gpioInputs,
                                       ErrorCatalog catalog) throws ConfigException {
        boolean useDefaults = section.bool("defaults", true);
        Map<String, AlarmRule> byId = new LinkedHashMap<>();
        if (useDefaults) {
            ConfigSection shipped = new ConfigSection("built-in alarm rules", shippedJson());
            for (AlarmRule r : rules(shipped, channels, gpioInputs, catalog, true)) {
                byId.put(r.id(), r);
            }
        }
        List<AlarmRule> configured = rules(section, channels, gpioInputs, catalog, false);
        // a configured channel, board or line replaces every shipped rule of it
        Set<String> subjects = new java.util.HashSet<>();
        configured.forEach(r -> subjects.add(kind(r) + ":" + r.subject()));
        for (String subject : replacedSubjects(section)) {
            subjects.add(subject);
        }
        byId.values().removeIf(r -> subjects.contains(kind(r) + ":" + r.subject()));
        for (AlarmRule r : configured) {
            byId.put(r.id(), r);
        }
        section.done();
        return List.copyOf(byId.values());
    }

    private static String kind(AlarmRule r) {
        return r instanceof AlarmRule.GpioInput ? "gpio" : r instanceof AlarmRule.BoardSilent ? "board" : "channel";
    }

    /** Subjects named in the section, also those given as {} (which turns their shipped rules off). */
    private static List<String> replacedSubjects(ConfigSection section) throws ConfigException {
        List<String> out = new ArrayList<>();
        if (section.has("channels")) {
            section.section("channels", false).keys().forEach(k -> out.add("channel:" + k));
        }
        if (section.has("board")) {
            out.add("board:board");
        }
        if (section.has("gpio")) {
            section.section("gpio", false).keys().forEach(k -> out.add("gpio:" + k));
        }
        return out;
    }

    private static JsonObject shippedJson() {
        try (InputStream in = AlarmRules.class.getResourceAsStream(DEFAULTS)) {
            if (in == null) {
                throw new IllegalStateException("the shipped alarm rules " + DEFAULTS + " are missing from the jar");
            }
            return StrictJson.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new IllegalStateException("the shipped alarm rules cannot be read: " + e.getMessage(), e);
        }
    }

    private static List<AlarmRule> rules(ConfigSection s, List<ChannelInfo> channels, Set<String> gpioInputs,
                                         ErrorCatalog catalog, boolean shipped) throws ConfigException {
        List<AlarmRule> out = new ArrayList<>();
        Map<String, ChannelInfo> known = new LinkedHashMap<>();
        channels.forEach(c -> known.put(c.id(), c));
        ConfigSection chs = s.section("channels", false);
        for (String id : chs.keys()) {
            ConfigSection ch = chs.section(id, true);
            ChannelInfo info = known.get(id);
            if (info == null) {
                if (shipped) {
                    continue;
                }
                throw new ConfigException(chs.key(id), "no channel '" + id + "' on this unit; channels: "
                        + known.keySet());
            }
            for (String type : CHANNEL_RULES) {
                if (!ch.has(type)) {
                    ch.section(type, false);
                    continue;
                }
                out.add(channelRule(ch.section(type, true), type, info, catalog));
            }
            ch.done();
        }
        ConfigSection board = s.section("board", false);
        if (board.has("silent")) {
            ConfigSection silent = board.section("silent", true);
            Duration period = silent.duration("for", Duration.ofSeconds(5), Duration.ZERO, MAX_FOR);
            out.add(new AlarmRule.BoardSilent("board.silent", code(silent, Codes.BOARD_SILENT, catalog), period));
            silent.done();
        } else {
            board.section("silent", false);
        }
        board.done();
        ConfigSection gpio = s.section("gpio", false);
        for (String line : gpio.keys()) {
            ConfigSection g = gpio.section(line, true);
            if (!gpioInputs.contains(line)) {
                if (shipped) {
                    continue;
                }
                throw new ConfigException(gpio.key(line), "is not an input line under gpio.lines; inputs: "
                        + new java.util.TreeSet<>(gpioInputs));
            }
            boolean whenActive = g.oneOf("when", "active", List.of("active", "inactive")).equals("active");
            Duration d = g.duration("for", Duration.ZERO, Duration.ZERO, MAX_FOR);
            out.add(new AlarmRule.GpioInput("gpio." + line, code(g, Codes.GPIO_INPUT, catalog), line, whenActive, d));
            g.done();
        }
        return out;
    }

    private static AlarmRule channelRule(ConfigSection r, String type, ChannelInfo c, ErrorCatalog catalog)
            throws ConfigException {
        String id = c.id() + "." + type;
        AlarmRule rule = switch (type) {
            case "high", "low" -> {
                String limitKey = type.equals("high") ? "above" : "below";
                double limit = r.optionalNumber(limitKey, -1e12, 1e12).orElseThrow(() -> new ConfigException(
                        r.key(limitKey), "is missing; it is required (the limit in " + c.unit() + ")"));
                double hysteresis = r.optionalNumber("hysteresis", 0, 1e12).orElse(0);
                Duration d = r.duration("for", Duration.ZERO, Duration.ZERO, MAX_FOR);
                yield new AlarmRule.Threshold(id, code(r, type.equals("high") ? Codes.HIGH : Codes.LOW, catalog),
                        c.id(), type.equals("high") ? AlarmRule.Side.ABOVE : AlarmRule.Side.BELOW, limit, hysteresis, d);
            }
            case "rate" -> {
                double max = r.optionalNumber("maxChange", 1e-12, 1e12).orElseThrow(() -> new ConfigException(
                        r.key("maxChange"), "is missing; it is required (the largest change in " + c.unit()
                        + " within the time 'within')"));
                Duration within = r.duration("within", Duration.ofSeconds(1), Duration.ofMillis(100), MAX_FOR);
                AlarmRule.Trend trend = AlarmRule.Trend.valueOf(r.oneOf("direction", "either",
                        List.of("falling", "rising", "either")).toUpperCase(java.util.Locale.ROOT));
                Duration d = r.duration("for", Duration.ZERO, Duration.ZERO, MAX_FOR);
                yield new AlarmRule.Rate(id, code(r, Codes.RATE, catalog), c.id(), max, within, trend, d);
            }
            case "stuck" -> {
                if (!r.has("for")) {
                    throw new ConfigException(r.key("for"), "is missing; it is required (how long without change"
                            + " counts as stuck, e.g. \"2m\")");
                }
                Duration period = r.duration("for", Duration.ofMinutes(2), Duration.ofSeconds(1), Duration.ofDays(1));
                double tolerance = r.optionalNumber("tolerance", 0, 1e12).orElse(0);
                boolean treatment = r.oneOf("during", "treatment", List.of("treatment", "always")).equals("treatment");
                yield new AlarmRule.Stuck(id, code(r, Codes.STUCK, catalog), c.id(), period, tolerance, treatment);
            }
            default -> {
                Duration d = r.duration("for", Duration.ZERO, Duration.ZERO, MAX_FOR);
                yield new AlarmRule.OutOfRange(id, code(r, Codes.OUT_OF_RANGE, catalog), c.id(), c.validMin(),
                        c.validMax(), d);
            }
        };
        r.done();
        return rule;
    }

    private static String code(ConfigSection r, String fallback, ErrorCatalog catalog) throws ConfigException {
        String code = r.string("code", fallback);
        if (catalog.entry(code).filter(e -> e.severity().equals("alarm")).isEmpty()) {
            throw new ConfigException(r.key("code"), "'" + code + "' is not an alarm code of the error catalog"
                    + " (version " + catalog.version() + "); see docs/diagnostics.md");
        }
        return code;
    }
}
