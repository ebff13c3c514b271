package com.oviron.callidus.cloud.console;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.oviron.callidus.cloud.MalformedMessageException;
import com.oviron.callidus.cloud.command.CommandCodec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One message of a remote console's byte stream (docs/protocol.md, "Remote console"): JSON
 * {@code {"v":1,"session":"rc-1","seq":7,"data":"<base64>"}}, or, as the unit's last message of a session,
 * {@code {"v":1,"session":"rc-1","seq":9,"end":"idle"}}. Frames are numbered from 1 in each direction; a frame
 * whose number is not above the last one taken is a copy (QoS 1 may deliver twice) and is dropped.
 *
 * @param session the session id the cloud chose in {@code console.open}
 * @param seq     the frame's number in its direction, from 1
 * @param data    the bytes, when it carries bytes (at most {@link #MAX_IN_BYTES} to the unit, {@link #MAX_OUT_BYTES}
 *                from it)
 * @param end     why the session ended, in the unit's last frame
 */
public record ConsoleFrame(String session, long seq, Optional<byte[]> data, Optional<String> end) {
    /** The shape of a session id. */
    public static final Pattern SESSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
    /** Most bytes in one frame to the unit (a line typed or pasted). */
    public static final int MAX_IN_BYTES = 1024;
    /** Most bytes in one frame from the unit. */
    public static final int MAX_OUT_BYTES = 4096;
    /** Longest frame accepted at all, in bytes of JSON. */
    static final int MAX_FRAME_BYTES = 8 * 1024;
    private static final Set<String> FIELDS = Set.of("v", "session", "seq", "data", "end");
    private static final Pattern END = Pattern.compile("[a-z_]{1,32}");

    public ConsoleFrame {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(end, "end");
        if (!SESSION.matcher(session).matches()) {
            throw new IllegalArgumentException("session must match " + SESSION.pattern());
        }
        if (seq < 1) {
            throw new IllegalArgumentException("seq starts at 1");
        }
        if (data.isPresent() == end.isPresent()) {
            throw new IllegalArgumentException("a frame carries either data or end");
        }
        if (end.isPresent() && !END.matcher(end.get()).matches()) {
            throw new IllegalArgumentException("end must match " + END.pattern());
        }
        data = data.map(byte[]::clone);
    }

    public static ConsoleFrame data(String session, long seq, byte[] bytes) {
        return new ConsoleFrame(session, seq, Optional.of(bytes), Optional.empty());
    }

    public static ConsoleFrame end(String session, long seq, String reason) {
        return new ConsoleFrame(session, seq, Optional.empty(), Optional.of(reason));
    }

    @Override
    public Optional<byte[]> data() {
        return data.map(byte[]::clone);
    }

    public byte[] encode() {
        JsonObject o = new JsonObject();
        o.addProperty("v", 1);
        o.addProperty("session", session);
        o.addProperty("seq", seq);
        data.ifPresent(d -> o.addProperty("data", Base64.getEncoder().encodeToString(d)));
        end.ifPresent(e -> o.addProperty("end", e));
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads a frame strictly: strict JSON, no unknown field, {@code v} 1, the session id's shape, {@code seq} a
     * whole number from 1, exactly one of {@code data} (standard base64, at most {@code maxBytes} bytes) and
     * {@code end}.
     */
    public static ConsoleFrame decode(byte[] payload, int maxBytes) throws MalformedMessageException {
        if (payload.length > MAX_FRAME_BYTES) {
            throw new MalformedMessageException("console frame of " + payload.length + " bytes, at most "
                    + MAX_FRAME_BYTES);
        }
        JsonObject o;
        try {
            JsonElement e = CommandCodec.parseStrict(new String(payload, StandardCharsets.UTF_8));
            o = e.getAsJsonObject();
        } catch (java.io.IOException | RuntimeException e) {
            throw new MalformedMessageException("console frame is not a strict JSON object", e);
        }
        for (String k : o.keySet()) {
            if (!FIELDS.contains(k)) {
                throw new MalformedMessageException("console frame has an unknown field '" + k + "'");
            }
        }
        try {
            if (!(o.get("v") instanceof JsonPrimitive v) || !v.isNumber() || v.getAsInt() != 1) {
                throw new MalformedMessageException("console frame v must be 1");
            }
            if (!(o.get("seq") instanceof JsonPrimitive seq) || !seq.isNumber()
                    || !seq.getAsString().matches("[0-9]{1,18}")) {
                throw new MalformedMessageException("console frame seq must be a whole number");
            }
            String session = o.get("session").getAsString();
            Optional<byte[]> data = Optional.empty();
            if (o.has("data")) {
                byte[] bytes = Base64.getDecoder().decode(o.get("data").getAsString());
                if (bytes.length > maxBytes) {
                    throw new MalformedMessageException("console frame of " + bytes.length + " bytes, at most "
                            + maxBytes);
                }
                data = Optional.of(bytes);
            }
            Optional<String> end = o.has("end") ? Optional.of(o.get("end").getAsString()) : Optional.empty();
            return new ConsoleFrame(session, Long.parseLong(seq.getAsString()), data, end);
        } catch (IllegalArgumentException | IllegalStateException | NullPointerException | UnsupportedOperationException
                 e) {
            throw new MalformedMessageException("console frame is malformed: " + e.getMessage(), e);
        }
    }
}
