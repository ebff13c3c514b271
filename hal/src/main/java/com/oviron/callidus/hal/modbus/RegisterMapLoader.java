package com.oviron.callidus.hal.modbus;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.oviron.callidus.hal.Channel;
import com.oviron.callidus.hal.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a register map from JSON (format 1, docs/hardware.md) and validates all of it before the agent
 * starts: a bad map is refused with a message naming the channel and the field, never half-used.
 */
public final class RegisterMapLoader {
    /** The CALLIDUS main board's map, shipped in the jar. */
    public static final String DEFAULT_RESOURCE = "/com/oviron/callidus/hal/modbus/callidus-register-map.json";

    private static final Set<String> TOP_KEYS = new java.util.TreeSet<>(Set.of("format", "name", "channels"));
    private static final Set<String> CHANNEL_KEYS = new java.util.TreeSet<>(Set.of("id", "name", "unit", "kind", "address", "type",
            "wordOrder", "scale", "offset", "samplePeriodMs", "deadband", "min", "max"));

    private RegisterMapLoader() {
    }

    /** The map shipped with the agent. */
    public static RegisterMap loadDefault() throws RegisterMapException {
        try (InputStream in = RegisterMapLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new RegisterMapException("the default register map " + DEFAULT_RESOURCE + " is missing");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in map");
        } catch (IOException e) {
            throw new RegisterMapException("cannot read the default register map: " + e.getMessage(), e);
        }
    }

    /** An override map from a file. */
    public static RegisterMap load(Path file) throws RegisterMapException {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new RegisterMapException("cannot read register map " + file + ": "
                    + e.getClass().getSimpleName(), e);
        }
    }

    /** Parses and validates map text; {@code source} names it in messages. */
    public static RegisterMap parse(String json, String source) throws RegisterMapException {
        JsonObject root;
        try {
            JsonElement e = StrictJson.parse(json);
            if (!e.isJsonObject()) {
                throw new RegisterMapException("register map " + source + " must be a JSON object");
            }
            root = e.getAsJsonObject();
        } catch (StrictJson.DuplicateKeyException e) {
            throw new RegisterMapException("register map " + source + ": field '" + e.key() + "' appears twice", e);
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new RegisterMapException("register map " + source + " is not valid JSON: " + e.getMessage(), e);
        }
        String where = "register map " + source;
        for (String key : root.keySet()) {
            if (!TOP_KEYS.contains(key)) {
                throw new RegisterMapException(where + ": unknown field '" + key + "'; known: " + TOP_KEYS);
            }
        }
        long format = integer(root, "format", where, null);
        if (format != 1) {
            throw new RegisterMapException(where + ": field 'format' must be 1, got " + format);
        }
        String name = root.has("name") ? string(root, "name", where) : source;
        if (!root.has("channels") || !root.get("channels").isJsonArray() || root.getAsJsonArray("channels").isEmpty()) {
            throw new RegisterMapException(where + ": field 'channels' must be a non-empty array");
        }
        List<RegisterChannel> channels = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int index = 0;
        for (JsonElement element : root.getAsJsonArray("channels")) {
            String at = where + ": channels[" + index++ + "]";
            if (!element.isJsonObject()) {
                throw new RegisterMapException(at + " must be an object");
            }
            RegisterChannel channel = channel(element.getAsJsonObject(), at);
            if (!ids.add(channel.channel().id())) {
                throw new RegisterMapException(where + ": channel '" + channel.channel().id() + "' appears twice");
            }
            for (RegisterChannel other : channels) {
                boolean sameTable = other.kind() == channel.kind();
                boolean overlap = channel.address() <= other.lastAddress() && other.address() <= channel.lastAddress();
                if (sameTable && overlap) {
                    throw new RegisterMapException(where + ": channel '" + channel.channel().id()
                            + "' field 'address': " + channel.kind().name().toLowerCase(java.util.Locale.ROOT)
                            .replace('_', '-') + " " + channel.address() + ".."
                            + channel.lastAddress() + " overlaps channel '" + other.channel().id() + "'");
                }
            }
            channels.add(channel);
        }
        return new RegisterMap(name, channels);
    }

    private static RegisterChannel channel(JsonObject o, String at) throws RegisterMapException {
        String id = string(o, "id", at);
        String ch = at.substring(0, at.indexOf(": ")) + ": channel '" + id + "'";
        for (String key : o.keySet()) {
            if (!CHANNEL_KEYS.contains(key)) {
                throw new RegisterMapException(ch + ": unknown field '" + key + "'; known: " + CHANNEL_KEYS);
            }
        }
        Channel channel;
        try {
            channel = new Channel(id, string(o, "name", ch), string(o, "unit", ch));
        } catch (IllegalArgumentException e) {
            throw new RegisterMapException(ch + " field 'id': " + e.getMessage(), e);
        }
        RegisterChannel.RegisterKind kind = enumField(o, "kind", ch, RegisterChannel.RegisterKind.class, null);
        RegisterChannel.DataType type = enumField(o, "type", ch, RegisterChannel.DataType.class, null);
        RegisterChannel.WordOrder order = enumField(o, "wordOrder", ch, RegisterChannel.WordOrder.class,
                RegisterChannel.WordOrder.HIGH_FIRST);
        long address = integer(o, "address", ch, null);
        if (address < 0 || address + type.width() - 1 > 0xFFFF) {
            throw new RegisterMapException(ch + " field 'address': " + address + " is outside 0..65535 for a "
                    + type.name().toLowerCase(Locale.ROOT));
        }
        if (kind.isRegister() == (type == RegisterChannel.DataType.BOOL)) {
            throw new RegisterMapException(ch + " field 'type': " + type.name().toLowerCase(Locale.ROOT)
                    + " does not fit kind " + kind.name().toLowerCase(Locale.ROOT).replace('_', '-')
                    + " (bool goes with coil and discrete-input, the others with holding and input)");
        }
        double scale = number(o, "scale", ch, 1.0);
        if (scale == 0 || !Double.isFinite(scale)) {
            throw new RegisterMapException(ch + " field 'scale': must be a finite number other than 0");
        }
        double offset = number(o, "offset", ch, 0.0);
        long periodMs = integer(o, "samplePeriodMs", ch, 100L);
        if (periodMs < 10 || periodMs > 3_600_000) {
            throw new RegisterMapException(ch + " field 'samplePeriodMs': " + periodMs + " is outside 10..3600000");
        }
        double deadband = number(o, "deadband", ch, 0.0);
        if (deadband < 0) {
            throw new RegisterMapException(ch + " field 'deadband': must not be negative, got " + deadband);
        }
        double min = number(o, "min", ch, null);
        double max = number(o, "max", ch, null);
        if (!(min < max)) {
            throw new RegisterMapException(ch + " field 'max': " + max + " must be above min " + min);
        }
        return new RegisterChannel(channel, kind, (int) address, type, order, scale, offset, Duration.ofMillis(periodMs),
                deadband, min, max);
    }

    private static String string(JsonObject o, String field, String at) throws RegisterMapException {
        JsonElement e = o.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString() || e.getAsString().isBlank()) {
            throw new RegisterMapException(at + " field '" + field + "': must be a non-empty string");
        }
        return e.getAsString();
    }

    private static long integer(JsonObject o, String field, String at, Long fallback) throws RegisterMapException {
        JsonElement e = o.get(field);
        if (e == null && fallback != null) {
            return fallback;
        }
        try {
            if (e == null || !e.getAsJsonPrimitive().isNumber()) {
                throw new NumberFormatException();
            }
            return e.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
        } catch (RuntimeException ex) {
            throw new RegisterMapException(at + ": field '" + field + "' must be a whole number"
                    + (e == null ? " (missing)" : ", got " + e));
        }
    }

    private static double number(JsonObject o, String field, String at, Double fallback) throws RegisterMapException {
        JsonElement e = o.get(field);
        if (e == null && fallback != null) {
            return fallback;
        }
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new RegisterMapException(at + " field '" + field + "': must be a number"
                    + (e == null ? " (missing)" : ", got " + e));
        }
        return e.getAsDouble();
    }

    private static <E extends Enum<E>> E enumField(JsonObject o, String field, String at, Class<E> type, E fallback)
            throws RegisterMapException {
        JsonElement e = o.get(field);
        if (e == null && fallback != null) {
            return fallback;
        }
        List<String> allowed = new ArrayList<>();
        for (E c : type.getEnumConstants()) {
            allowed.add(c.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        if (e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            String v = e.getAsString().toLowerCase(Locale.ROOT);
            for (E c : type.getEnumConstants()) {
                if (c.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(v)) {
                    return c;
                }
            }
        }
        throw new RegisterMapException(at + " field '" + field + "': must be one of " + allowed
                + (e == null ? " (missing)" : ", got " + e));
    }
}
