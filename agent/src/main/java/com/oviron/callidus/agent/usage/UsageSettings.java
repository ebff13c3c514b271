package com.oviron.callidus.agent.usage;

import com.oviron.callidus.agent.ConfigException;
import com.oviron.callidus.agent.ConfigSection;
import com.oviron.callidus.agent.diagnostics.ChannelInfo;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which HAL signals drive the usage counters (docs/configuration.md, {@code diagnostics.usage}): the operating
 * time and each instrument's time come from a channel's value above (or below) a threshold; chair movements
 * and water-line disinfections count activations of a GPIO input (or a channel crossing a threshold);
 * treatments come from the GPIO treatment inputs or, without them, from the instruments.
 *
 * @param operating       what counts as "the unit is operating", if anything
 * @param instruments     instrument name → what counts as "in use"
 * @param chairMovements  what one chair movement is, if anything
 * @param disinfections   what one water-line disinfection cycle is, if anything
 * @param treatmentsFromGpio true: the GPIO treatment inputs decide; false: any instrument in use, with the
 *                        hold-off
 * @param treatmentHoldOff a treatment lasts this long after the last instrument went idle
 */
public record UsageSettings(Optional<Condition> operating, Map<String, Condition> instruments,
                            Optional<Signal> chairMovements, Optional<Signal> disinfections,
                            boolean treatmentsFromGpio, Duration treatmentHoldOff) {
    public UsageSettings {
        Objects.requireNonNull(operating, "operating");
        instruments = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(instruments));
        Objects.requireNonNull(chairMovements, "chairMovements");
        Objects.requireNonNull(disinfections, "disinfections");
    }

    /** A channel's newest fresh value above (or below) a threshold. */
    public record Condition(String channel, boolean above, double threshold) {
        public boolean holds(double value) {
            return above ? value > threshold : value < threshold;
        }

        @Override
        public String toString() {
            return channel + (above ? " above " : " below ") + threshold;
        }
    }

    /** Something that happens: a GPIO input going active, or a channel's condition starting to hold. */
    public record Signal(Optional<String> gpio, Optional<Condition> condition) {
        public Signal {
            if (gpio.isPresent() == condition.isPresent()) {
                throw new IllegalArgumentException("a signal is a gpio input or a channel condition");
            }
        }

        @Override
        public String toString() {
            return gpio.map(g -> "gpio " + g).orElseGet(() -> condition.orElseThrow().toString());
        }
    }

    /** Names of instruments: lower case, digits and '_'. */
    static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9_]{0,31}");

    /**
     * Reads {@code diagnostics.usage}; a counter it names replaces the shipped definition, and a shipped one
     * whose channel or GPIO line the unit lacks is left out.
     */
    public static UsageSettings read(ConfigSection s, List<ChannelInfo> channels, Set<String> gpioInputs,
                                     boolean gpioTreatmentInputs, Duration holdOff) throws ConfigException {
        Map<String, ChannelInfo> known = new LinkedHashMap<>();
        channels.forEach(c -> known.put(c.id(), c));
        Optional<Condition> operating = s.has("operating")
                ? optionalCondition(s.section("operating", true), known)
                : shipped(new Condition("supply_voltage", true, 18.0), known);
        Map<String, Condition> instruments = new LinkedHashMap<>();
        if (s.has("instruments")) {
            ConfigSection is = s.section("instruments", true);
            for (String name : is.keys()) {
                if (!NAME.matcher(name).matches()) {
                    throw new ConfigException(is.key(name), "an instrument's name must match " + NAME.pattern());
                }
                ConfigSection i = is.section(name, true);
                instruments.put(name, condition(i, known));
                i.done();
            }
            is.done();
        } else {
            shipped(new Condition("motor1_current", true, 0.3), known).ifPresent(c -> instruments.put("micromotor_1", c));
            shipped(new Condition("motor2_current", true, 0.3), known).ifPresent(c -> instruments.put("micromotor_2", c));
            shipped(new Condition("turbine_air_pressure", true, 1.0), known).ifPresent(c -> instruments.put("turbine", c));
        }
        Optional<Signal> chair = s.has("chairMovements") ? signal(s.section("chairMovements", true), known, gpioInputs)
                : shippedGpio("chair_moving", gpioInputs);
        Optional<Signal> disinfection = s.has("disinfections")
                ? signal(s.section("disinfections", true), known, gpioInputs)
                : shippedGpio("waterline_disinfection", gpioInputs);
        ConfigSection t = s.section("treatments", false);
        String from = t.oneOf("from", gpioTreatmentInputs ? "gpio" : "instruments", List.of("gpio", "instruments"));
        if (from.equals("gpio") && !gpioTreatmentInputs) {
            throw new ConfigException(t.key("from"), "is gpio, but gpio.treatmentInputs names no input");
        }
        t.done();
        s.done();
        return new UsageSettings(operating, instruments, chair, disinfection, from.equals("gpio"), holdOff);
    }

    private static Optional<Condition> shipped(Condition c, Map<String, ChannelInfo> known) {
        return known.containsKey(c.channel()) ? Optional.of(c) : Optional.empty();
    }

    private static Optional<Signal> shippedGpio(String line, Set<String> gpioInputs) {
        return gpioInputs.contains(line) ? Optional.of(new Signal(Optional.of(line), Optional.empty()))
                : Optional.empty();
    }

    /** {} switches a counter off. */
    private static Optional<Condition> optionalCondition(ConfigSection s, Map<String, ChannelInfo> known)
            throws ConfigException {
        if (!s.has("channel")) {
            s.done();
            return Optional.empty();
        }
        Condition c = condition(s, known);
        s.done();
        return Optional.of(c);
    }

    private static Condition condition(ConfigSection s, Map<String, ChannelInfo> known) throws ConfigException {
        String channel = s.string("channel", null);
        if (!known.containsKey(channel)) {
            throw new ConfigException(s.key("channel"), "no channel '" + channel + "' on this unit; channels: "
                    + known.keySet());
        }
        boolean hasAbove = s.has("above");
        boolean hasBelow = s.has("below");
        if (hasAbove == hasBelow) {
            throw new ConfigException(s.key("above"), "give exactly one of above or below (the threshold in "
                    + known.get(channel).unit() + ")");
        }
        double v = s.optionalNumber(hasAbove ? "above" : "below", -1e12, 1e12).orElseThrow();
        return new Condition(channel, hasAbove, v);
    }

    private static Optional<Signal> signal(ConfigSection s, Map<String, ChannelInfo> known, Set<String> gpioInputs)
            throws ConfigException {
        if (s.has("gpio")) {
            String line = s.string("gpio", null);
            if (!gpioInputs.contains(line)) {
                throw new ConfigException(s.key("gpio"), "'" + line + "' is not an input line under gpio.lines;"
                        + " inputs: " + new java.util.TreeSet<>(gpioInputs));
            }
            s.done();
            return Optional.of(new Signal(Optional.of(line), Optional.empty()));
        }
        if (s.has("channel")) {
            Condition c = condition(s, known);
            s.done();
            return Optional.of(new Signal(Optional.empty(), Optional.of(c)));
        }
        s.done();
        return Optional.empty();
    }
}
