package com.oviron.callidus.cloud.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Reads commands and writes replies (docs/protocol.md, "Commands"). A command is a UTF-8 JSON object:
 * <pre>{"v":1,"id":"c-42","name":"status.get","args":{},"issuedAt":1763780000000,"expiresAt":1763780060000}</pre>
 * Parsing is strict: valid UTF-8, RFC 8259 JSON, no duplicated key at any depth, nothing but the known
 * fields, nesting at most {@value #MAX_DEPTH} deep. A failure is a {@link ParseFailure} that still carries
 * the id when one could be read, so that the reply can be correlated.
 */
public final class CommandCodec {
    /** Largest command accepted: AWS IoT Core's payload limit. */
    public static final int MAX_COMMAND_BYTES = 128 * 1024;
    /** Largest reply sent; a larger result is replaced by a {@code failed} error. */
    public static final int MAX_REPLY_BYTES = 128 * 1024;
    /** Commands that expire further ahead than this are refused (a wrong clock on either side). */
    public static final Duration MAX_EXPIRY_HORIZON = Duration.ofDays(7);
    static final int MAX_DEPTH = 16;
    private static final Set<String> FIELDS = Set.of("v", "id", "name", "args", "issuedAt", "expiresAt");

    private CommandCodec() {
    }

    /** A command that cannot be carried out as sent; {@code id} is there when it could be read. */
    public static final class ParseFailure extends Exception {
        private final ErrorCode code;
        private final transient Optional<String> id;
        private final transient Optional<String> name;

        ParseFailure(ErrorCode code, String message, Optional<String> id, Optional<String> name) {
            super(message);
            this.code = code;
            this.id = id;
            this.name = name;
        }

        public ErrorCode code() {
            return code;
        }

        public Optional<String> id() {
            return id;
        }

        public Optional<String> name() {
            return name;
        }
    }

    /**
     * Parses and validates a command; does not check its expiry (the journal is asked first, so that a
     * repeated command gets its first answer).
     */
    public static Command parse(byte[] payload) throws ParseFailure {
        if (payload.length > MAX_COMMAND_BYTES) {
            throw new ParseFailure(ErrorCode.TOO_LARGE, "command of " + payload.length + " bytes, at most "
                    + MAX_COMMAND_BYTES + " accepted", Optional.empty(), Optional.empty());
        }
        JsonElement root;
        try {
            root = parseStrict(decodeUtf8(payload));
        } catch (IOException | RuntimeException e) {
            throw new ParseFailure(ErrorCode.MALFORMED, "not a strict JSON object: " + e.getMessage(),
                    Optional.empty(), Optional.empty());
        }
        if (!root.isJsonObject()) {
            throw new ParseFailure(ErrorCode.MALFORMED, "a command is a JSON object", Optional.empty(),
                    Optional.empty());
        }
        JsonObject o = root.getAsJsonObject();
        Optional<String> id = stringField(o, "id").filter(s -> Command.ID.matcher(s).matches());
        Optional<String> name = stringField(o, "name").filter(s -> Command.NAME.matcher(s).matches());
        for (String field : o.keySet()) {
            if (!FIELDS.contains(field)) {
                throw new ParseFailure(ErrorCode.MALFORMED, "unknown field " + field, id, name);
            }
        }
        if (!(o.get("v") instanceof JsonPrimitive v) || !v.isNumber() || !v.getAsString().equals("1")) {
            throw new ParseFailure(ErrorCode.MALFORMED, "v must be 1", id, name);
        }
        if (id.isEmpty()) {
            throw new ParseFailure(ErrorCode.MALFORMED, "id is required: 1 to 64 characters matching "
                    + Command.ID.pattern(), Optional.empty(), name);
        }
        if (name.isEmpty()) {
            throw new ParseFailure(ErrorCode.MALFORMED, "name is required and must match " + Command.NAME.pattern(),
                    id, Optional.empty());
        }
        JsonElement args = o.has("args") ? o.get("args") : new JsonObject();
        if (!args.isJsonObject()) {
            throw new ParseFailure(ErrorCode.MALFORMED, "args must be an object", id, name);
        }
        long issuedAt = millisField(o, "issuedAt", false, id, name);
        long expiresAt = millisField(o, "expiresAt", true, id, name);
        return new Command(id.get(), name.get(), args.getAsJsonObject(), issuedAt, expiresAt);
    }

    /** Throws {@link ErrorCode#EXPIRED} when the command's expiry has passed or lies too far ahead. */
    public static void checkExpiry(Command command, long nowMillis) throws CommandException {
        if (nowMillis > command.expiresAtMillis()) {
            throw new CommandException(ErrorCode.EXPIRED, "expired " + (nowMillis - command.expiresAtMillis())
                    + " ms before it arrived (unit clock " + nowMillis + ")");
        }
        if (command.expiresAtMillis() - nowMillis > MAX_EXPIRY_HORIZON.toMillis()) {
            throw new CommandException(ErrorCode.EXPIRED, "expiresAt is more than " + MAX_EXPIRY_HORIZON.toDays()
                    + " days ahead of the unit's clock (" + nowMillis + ")");
        }
    }

    /** A successful reply. */
    public static byte[] success(String deviceId, Command command, JsonElement result, long nowMillis) {
        JsonObject o = header(deviceId, Optional.of(command.id()), Optional.of(command.name()), nowMillis);
        o.addProperty("ok", true);
        o.add("result", result == null ? JsonNull.INSTANCE : result);
        byte[] bytes = bytes(o);
        if (bytes.length > MAX_REPLY_BYTES) {
            return failure(deviceId, Optional.of(command.id()), Optional.of(command.name()), ErrorCode.FAILED,
                    "the result (" + bytes.length + " bytes) exceeds the " + MAX_REPLY_BYTES + "-byte reply limit;"
                            + " ask for less", nowMillis);
        }
        return bytes;
    }

    /** An error reply; {@code id} is empty when the command's id could not be read. */
    public static byte[] failure(String deviceId, Optional<String> id, Optional<String> name, ErrorCode code,
                                 String message, long nowMillis) {
        JsonObject o = header(deviceId, id, name, nowMillis);
        o.addProperty("ok", false);
        JsonObject error = new JsonObject();
        error.addProperty("code", code.wire());
        error.addProperty("message", message == null ? code.wire() : truncate(message, 1000));
        o.add("error", error);
        return bytes(o);
    }

    /** The same reply, marked as an answer to a repeated command. */
    public static byte[] markRepeated(byte[] reply) {
        try {
            JsonObject o = parseStrict(decodeUtf8(reply)).getAsJsonObject();
            o.addProperty("repeated", true);
            return bytes(o);
        } catch (IOException | RuntimeException e) {
            return reply;
        }
    }

    private static JsonObject header(String deviceId, Optional<String> id, Optional<String> name, long nowMillis) {
        JsonObject o = new JsonObject();
        o.addProperty("v", 1);
        o.add("id", id.<JsonElement>map(JsonPrimitive::new).orElse(JsonNull.INSTANCE));
        o.add("name", name.<JsonElement>map(JsonPrimitive::new).orElse(JsonNull.INSTANCE));
        o.addProperty("device", deviceId);
        o.addProperty("at", nowMillis);
        return o;
    }

    private static byte[] bytes(JsonObject o) {
        return new com.google.gson.GsonBuilder().serializeNulls().disableHtmlEscaping().create().toJson(o)
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    private static Optional<String> stringField(JsonObject o, String field) {
        return o.get(field) instanceof JsonPrimitive p && p.isString() ? Optional.of(p.getAsString())
                : Optional.empty();
    }

    private static long millisField(JsonObject o, String field, boolean required, Optional<String> id,
                                    Optional<String> name) throws ParseFailure {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            if (required) {
                throw new ParseFailure(ErrorCode.MALFORMED, field + " is required (epoch milliseconds)", id, name);
            }
            return 0;
        }
        try {
            if (e instanceof JsonPrimitive p && p.isNumber()) {
                long v = p.getAsBigDecimal().longValueExact();
                if (v >= 0) {
                    return v;
                }
            }
        } catch (ArithmeticException | NumberFormatException ex) {
            // falls through to the error below
        }
        throw new ParseFailure(ErrorCode.MALFORMED, field + " must be a non-negative integer (epoch milliseconds)",
                id, name);
    }

    static String decodeUtf8(byte[] payload) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString();
    }

    /**
     * Strict JSON with duplicated keys refused. (The agent's config files have the same rule through
     * {@code hal.StrictJson}; cloud-link may not depend on hal, and this one also bounds the nesting.)
     */
    public static JsonElement parseStrict(String text) throws IOException {
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement root = readValue(reader, 0);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IOException("content after the end of the JSON value");
            }
            return root;
        }
    }

    private static JsonElement readValue(JsonReader in, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IOException("nested deeper than " + MAX_DEPTH + " levels");
        }
        JsonToken token = in.peek();
        if (token == JsonToken.BEGIN_OBJECT) {
            JsonObject object = new JsonObject();
            in.beginObject();
            while (in.hasNext()) {
                String key = in.nextName();
                if (object.has(key)) {
                    throw new IOException("key " + key + " appears twice at " + in.getPath());
                }
                object.add(key, readValue(in, depth + 1));
            }
            in.endObject();
            return object;
        }
        if (token == JsonToken.BEGIN_ARRAY) {
            JsonArray array = new JsonArray();
            in.beginArray();
            while (in.hasNext()) {
                array.add(readValue(in, depth + 1));
            }
            in.endArray();
            return array;
        }
        return switch (token) {
            case STRING -> new JsonPrimitive(in.nextString());
            case NUMBER -> new JsonPrimitive(new java.math.BigDecimal(in.nextString()));
            case BOOLEAN -> new JsonPrimitive(in.nextBoolean());
            case NULL -> {
                in.nextNull();
                yield JsonNull.INSTANCE;
            }
            default -> throw new IOException("unexpected " + token + " at " + in.getPath());
        };
    }
}
