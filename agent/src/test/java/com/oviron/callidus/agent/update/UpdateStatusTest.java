package com.oviron.callidus.agent.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UpdateStatusTest {
    @Test
    void the_message_carries_the_envelope_and_leaves_out_what_is_absent() {
        UpdateStatus rejected = new UpdateStatus(UpdateStep.REJECTED, Optional.of("1.2.0"), Optional.of("not-newer"),
                "version 1.2.0 is not newer than the installed 1.2.0", 1234);
        JsonObject o = JsonParser.parseString(new String(rejected.toMessage("CAL-1"), StandardCharsets.UTF_8))
                .getAsJsonObject();
        assertEquals(1, o.get("v").getAsInt());
        assertEquals("CAL-1", o.get("device").getAsString());
        assertEquals("rejected", o.get("step").getAsString());
        assertEquals("1.2.0", o.get("version").getAsString());
        assertEquals("not-newer", o.get("reason").getAsString());
        assertEquals(1234, o.get("at").getAsLong());
        JsonObject received = new UpdateStatus(UpdateStep.HEALTH_CHECK, Optional.empty(), Optional.empty(), "x", 1)
                .toJson();
        assertEquals("health-check", received.get("step").getAsString());
        assertFalse(received.has("version"));
        assertFalse(received.has("reason"));
        assertEquals("security-downgrade", RejectReason.SECURITY_DOWNGRADE.code());
    }
}
