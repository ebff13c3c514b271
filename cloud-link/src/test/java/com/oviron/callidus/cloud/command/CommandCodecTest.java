package com.oviron.callidus.cloud.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CommandCodecTest {
    private static final String OK_TAIL = "\"issuedAt\":1000,\"expiresAt\":2000";

    @Test
    void parses_a_well_formed_command() throws Exception {
        Command c = CommandCodec.parse(bytes("{\"v\":1,\"id\":\"c-42\",\"name\":\"live.start\",\"args\":{\"seconds\":30},"
                + OK_TAIL + "}"));
        assertEquals("c-42", c.id());
        assertEquals("live.start", c.name());
        assertEquals(30, c.args().get("seconds").getAsInt());
        assertEquals(1000, c.issuedAtMillis());
        assertEquals(2000, c.expiresAtMillis());
    }

    @Test
    void args_may_be_left_out_and_issued_at_is_optional() throws Exception {
        Command c = CommandCodec.parse(bytes("{\"v\":1,\"id\":\"x\",\"name\":\"status.get\",\"expiresAt\":5}"));
        assertEquals(0, c.args().size());
        assertEquals(0, c.issuedAtMillis());
    }

    /** The corpus of bad messages: each is answered with the given code, with the id when it could be read. */
    static Stream<Arguments> corpus() {
        String deep = "[".repeat(1000) + "]".repeat(1000);
        return Stream.of(
                bad("empty payload", "", ErrorCode.MALFORMED, null),
                bad("not JSON", "status please", ErrorCode.MALFORMED, null),
                bad("an array", "[1,2]", ErrorCode.MALFORMED, null),
                bad("a string", "\"status.get\"", ErrorCode.MALFORMED, null),
                bad("null", "null", ErrorCode.MALFORMED, null),
                bad("truncated", "{\"v\":1,\"id\":\"a\",\"name\":\"status.get\"", ErrorCode.MALFORMED, null),
                bad("trailing garbage", cmd("a", "status.get") + "x", ErrorCode.MALFORMED, null),
                bad("two objects", cmd("a", "status.get") + cmd("b", "status.get"), ErrorCode.MALFORMED, null),
                bad("comment", "{/*x*/\"v\":1,\"id\":\"a\",\"name\":\"status.get\"," + OK_TAIL + "}",
                        ErrorCode.MALFORMED, null),
                bad("single quotes", "{'v':1,'id':'a','name':'status.get','expiresAt':1}", ErrorCode.MALFORMED, null),
                bad("unquoted NaN", "{\"v\":1,\"id\":\"a\",\"name\":\"status.get\",\"expiresAt\":NaN}",
                        ErrorCode.MALFORMED, null),
                bad("duplicate top-level key", "{\"v\":1,\"id\":\"a\",\"id\":\"b\",\"name\":\"status.get\","
                        + OK_TAIL + "}", ErrorCode.MALFORMED, null),
                bad("duplicate key in args", "{\"v\":1,\"id\":\"a\",\"name\":\"live.start\",\"args\":{\"s\":1,\"s\":2},"
                        + OK_TAIL + "}", ErrorCode.MALFORMED, null),
                bad("nested 1000 deep", "{\"v\":1,\"id\":\"a\",\"name\":\"x\",\"args\":{\"d\":" + deep + "},"
                        + OK_TAIL + "}", ErrorCode.MALFORMED, null),
                bad("no v", "{\"id\":\"a\",\"name\":\"status.get\"," + OK_TAIL + "}", ErrorCode.MALFORMED, "a"),
                bad("v 2", "{\"v\":2,\"id\":\"a\",\"name\":\"status.get\"," + OK_TAIL + "}", ErrorCode.MALFORMED, "a"),
                bad("v as string", "{\"v\":\"1\",\"id\":\"a\",\"name\":\"status.get\"," + OK_TAIL + "}",
                        ErrorCode.MALFORMED, "a"),
                bad("v 1.0", "{\"v\":1.0,\"id\":\"a\",\"name\":\"status.get\"," + OK_TAIL + "}", ErrorCode.MALFORMED,
                        "a"),
                bad("unknown field", "{\"v\":1,\"id\":\"a\",\"name\":\"status.get\",\"sudo\":true," + OK_TAIL + "}",
                        ErrorCode.MALFORMED, "a"),
                bad("no id", "{\"v\":1,\"name\":\"status.get\"," + OK_TAIL + "}", ErrorCode.MALFORMED, null),
                bad("empty id", cmd("", "status.get"), ErrorCode.MALFORMED, null),
                bad("id of 65 characters", cmd("a".repeat(65), "status.get"), ErrorCode.MALFORMED, null),
                bad("id with a slash", cmd("a/b", "status.get"), ErrorCode.MALFORMED, null),
                bad("id with a NUL", cmd("a\\u0000b", "status.get"), ErrorCode.MALFORMED, null),
                bad("id as number", "{\"v\":1,\"id\":7,\"name\":\"status.get\"," + OK_TAIL + "}", ErrorCode.MALFORMED,
                        null),
                bad("no name", "{\"v\":1,\"id\":\"a\"," + OK_TAIL + "}", ErrorCode.MALFORMED, "a"),
                bad("name upper case", cmd("a", "Status.Get"), ErrorCode.MALFORMED, "a"),
                bad("name with a path", cmd("a", "../etc"), ErrorCode.MALFORMED, "a"),
                bad("args an array", "{\"v\":1,\"id\":\"a\",\"name\":\"status.get\",\"args\":[]," + OK_TAIL + "}",
                        ErrorCode.MALFORMED, "a"),
                bad("args a string", "{\"v\":1,\"id\":\"a\",\"name\":\"status.get\",\"args\":\"x\"," + OK_TAIL + "}",
                        ErrorCode.MALFORMED, "a"),
                bad("no expiresAt", "{\"v\":1,\"id\":\"a\",\"name\":\"status.get\"}", ErrorCode.MALFORMED, "a"),
                bad("negative expiresAt", "{\"v\":1,\"id\":\"a\",\"name\":\"status.get\",\"expiresAt\":-1}",
                        ErrorCode.MALFORMED, "a"),
                bad("fractional expiresAt", "{\"v\":1,\"id\":\"a\",\"name\":\"status.get\",\"expiresAt\":1.5}",
                        ErrorCode.MALFORMED, "a"),
                bad("expiresAt beyond long", "{\"v\":1,\"id\":\"a\",\"name\":\"status.get\",\"expiresAt\":1e400}",
                        ErrorCode.MALFORMED, "a"),
                bad("expiresAt as string", "{\"v\":1,\"id\":\"a\",\"name\":\"status.get\",\"expiresAt\":\"soon\"}",
                        ErrorCode.MALFORMED, "a"),
                bad("issuedAt as object", "{\"v\":1,\"id\":\"a\",\"name\":\"status.get\",\"issuedAt\":{},"
                        + "\"expiresAt\":5}", ErrorCode.MALFORMED, "a"),
                bad("larger than 128 KiB", "{\"v\":1,\"id\":\"a\",\"name\":\"status.get\",\"args\":{\"x\":\""
                        + "x".repeat(CommandCodec.MAX_COMMAND_BYTES) + "\"}," + OK_TAIL + "}", ErrorCode.TOO_LARGE,
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void refuses_every_message_of_the_bad_corpus(String what, byte[] payload, ErrorCode code, String id) {
        CommandCodec.ParseFailure f = assertThrows(CommandCodec.ParseFailure.class, () -> CommandCodec.parse(payload));
        assertEquals(code, f.code(), f.getMessage());
        assertEquals(Optional.ofNullable(id), f.id());
        assertTrue(!f.getMessage().isBlank());
    }

    @Test
    void refuses_bytes_that_are_not_utf8() {
        byte[] payload = cmd("a", "status.get").getBytes(StandardCharsets.UTF_8);
        payload[8] = (byte) 0xC3; // a lone lead byte inside the id string
        payload[9] = (byte) 0x28;
        CommandCodec.ParseFailure f = assertThrows(CommandCodec.ParseFailure.class, () -> CommandCodec.parse(payload));
        assertEquals(ErrorCode.MALFORMED, f.code());
    }

    @Test
    void expiry_is_checked_against_the_units_clock_and_a_horizon() throws Exception {
        Command c = CommandCodec.parse(bytes(cmd("a", "status.get")));
        CommandCodec.checkExpiry(c, 2000); // exactly at expiry still counts
        assertEquals(ErrorCode.EXPIRED, assertThrows(CommandException.class,
                () -> CommandCodec.checkExpiry(c, 2001)).code());
        long now = 1000;
        Command far = new Command("b", "status.get", new JsonObject(), now,
                now + CommandCodec.MAX_EXPIRY_HORIZON.toMillis() + 1);
        assertEquals(ErrorCode.EXPIRED, assertThrows(CommandException.class,
                () -> CommandCodec.checkExpiry(far, now)).code());
    }

    @Test
    void replies_carry_id_name_device_and_result_or_typed_error() {
        Command c = new Command("c-1", "status.get", new JsonObject(), 0, 10);
        JsonObject result = new JsonObject();
        result.addProperty("online", true);
        JsonObject ok = parse(CommandCodec.success("CAL-1", c, result, 77));
        assertEquals("c-1", ok.get("id").getAsString());
        assertEquals("status.get", ok.get("name").getAsString());
        assertEquals("CAL-1", ok.get("device").getAsString());
        assertEquals(77, ok.get("at").getAsLong());
        assertTrue(ok.get("ok").getAsBoolean());
        assertTrue(ok.getAsJsonObject("result").get("online").getAsBoolean());

        JsonObject err = parse(CommandCodec.failure("CAL-1", Optional.empty(), Optional.empty(), ErrorCode.TOO_LARGE,
                "too big", 78));
        assertTrue(err.get("id").isJsonNull());
        assertEquals("too_large", err.getAsJsonObject("error").get("code").getAsString());
        assertEquals("too big", err.getAsJsonObject("error").get("message").getAsString());

        JsonObject again = parse(CommandCodec.markRepeated(CommandCodec.success("CAL-1", c, result, 77)));
        assertTrue(again.get("repeated").getAsBoolean());
    }

    @Test
    void a_result_too_large_for_one_message_becomes_a_failed_reply() {
        Command c = new Command("c-1", "report.get", new JsonObject(), 0, 10);
        JsonObject huge = new JsonObject();
        huge.addProperty("x", "y".repeat(CommandCodec.MAX_REPLY_BYTES));
        byte[] reply = CommandCodec.success("CAL-1", c, huge, 1);
        assertTrue(reply.length < 2000);
        assertEquals("failed", parse(reply).getAsJsonObject("error").get("code").getAsString());
    }

    private static Arguments bad(String what, String payload, ErrorCode code, String id) {
        return Arguments.of(what, bytes(payload), code, id);
    }

    private static String cmd(String id, String name) {
        return "{\"v\":1,\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"args\":{}," + OK_TAIL + "}";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonObject parse(byte[] reply) {
        return JsonParser.parseString(new String(reply, StandardCharsets.UTF_8)).getAsJsonObject();
    }
}
