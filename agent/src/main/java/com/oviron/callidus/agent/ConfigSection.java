package com.oviron.callidus.agent;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One JSON object of the configuration file, remembering which keys were used so unknown ones can be reported.
 * Public so that each feature package reads its own section (e.g. {@code agent.diagnostics}); every error is a
 * {@link ConfigException} naming the dotted key.
 */
public final class ConfigSection {
    private final String prefix;
    private final JsonObject object;
    private final boolean present;
    private final Set<String> used = new HashSet<>();

    public ConfigSection(String prefix, JsonObject object) {
        this(prefix, object, true);
    }

    ConfigSection(String prefix, JsonObject object, boolean present) {
        this.prefix = prefix;
        this.object = object;
        this.present = present;
    }

    /** Whether the file has this section (a missing optional section reads as empty). */
    public boolean isPresent() {
        return present;
    }

    public String key(String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    public ConfigSection section(String name, boolean required) throws ConfigException {
        used.add(name);
        JsonElement e = object.get(name);
        if (e == null || e.isJsonNull()) {
            if (required) {
                throw missing(name, "is missing; it is required");
            }
            return new ConfigSection(key(name), new JsonObject(), false);
        }
        if (!e.isJsonObject()) {
            throw new ConfigException(key(name), "must be an object { ... }, got " + e);
        }
        return new ConfigSection(key(name), e.getAsJsonObject());
    }

    /** A string; {@code fallback == null} means required. */
    public String string(String name, String fallback) throws ConfigException {
        used.add(name);
        JsonElement e = object.get(name);
        if (e == null || e.isJsonNull()) {
            if (fallback == null) {
                throw missing(name, "is missing; it is required");
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

    public String oneOf(String name, String fallback, List<String> allowed) throws ConfigException {
        String s = string(name, fallback);
        for (String a : allowed) {
            if (a.equalsIgnoreCase(s)) {
                return a;
            }
        }
        throw new ConfigException(key(name), "'" + s + "' is not allowed; use one of " + allowed);
    }

    public long integer(String name, long fallback, long min, long max) throws ConfigException {
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

    /** A finite number within {@code [min, max]}, if the key is there. */
    public java.util.OptionalDouble optionalNumber(String name, double min, double max) throws ConfigException {
        used.add(name);
        JsonElement e = object.get(name);
        if (e == null || e.isJsonNull()) {
            return java.util.OptionalDouble.empty();
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new ConfigException(key(name), "must be a number, got " + e);
        }
        double v = e.getAsDouble();
        if (!Double.isFinite(v) || v < min || v > max) {
            throw new ConfigException(key(name), e + " is out of range; allowed " + min + " to " + max);
        }
        return java.util.OptionalDouble.of(v);
    }

    /** Whether the object has this key (and it is not null); does not count as using it. */
    public boolean has(String name) {
        JsonElement e = object.get(name);
        return e != null && !e.isJsonNull();
    }

    public Duration duration(String name, Duration fallback, Duration min, Duration max) throws ConfigException {
        used.add(name);
        JsonElement e = object.get(name);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new ConfigException(key(name), "must be a duration string like \"250ms\", \"5s\", \"2m\", "
                    + "\"1h\", got " + e);
        }
        Duration d = AgentConfigLoader.parseDuration(e.getAsString().toLowerCase(Locale.ROOT)).orElseThrow(() ->
                new ConfigException(key(name), "'" + e.getAsString() + "' is not a duration; write e.g. "
                        + "\"250ms\", \"5s\", \"2m\" or \"1h\""));
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new ConfigException(key(name), "'" + e.getAsString() + "' is out of range; allowed "
                    + AgentConfigLoader.format(min) + " to " + AgentConfigLoader.format(max));
        }
        return d;
    }

    /** The keys of this object, in file order (for sections whose keys are names, like gpio.lines). */
    public List<String> keys() {
        return new ArrayList<>(object.keySet());
    }

    public boolean bool(String name, boolean fallback) throws ConfigException {
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

    public List<String> stringList(String name) throws ConfigException {
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

    /**
     * The error for a required key that is not there: when the object holds an unknown key close to it
     * ({@code stor} for {@code store}), the typo is named, since that is what the technician must fix.
     */
    private ConfigException missing(String name, String message) {
        return typo(name).orElseGet(() -> new ConfigException(key(name), message));
    }

    /** An unknown key of this object close to {@code name}, reported as the typo of it. */
    Optional<ConfigException> typo(String name) {
        for (String k : object.keySet()) {
            if (!used.contains(k) && !k.equals(name) && ClosestKey.among(k, List.of(name)).isPresent()) {
                return Optional.of(new ConfigException(key(k), "unknown key '" + k + "'; did you mean '" + name
                        + "'?"));
            }
        }
        return Optional.empty();
    }

    /** Fails on the first key of this object that nothing asked for. */
    public void done() throws ConfigException {
        for (String k : object.keySet()) {
            if (!used.contains(k)) {
                String hint = ClosestKey.among(k, used).map(c -> "did you mean '" + c + "'? ").orElse("");
                throw new ConfigException(key(k), "unknown key '" + k + "'; " + hint + "known keys here are "
                        + used.stream().sorted().toList());
            }
        }
    }
}
