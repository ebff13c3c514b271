package com.oviron.callidus.agent.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

class SecretsTest {
    private static final String JWS = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJULTQ3MTEifQ."
            + "c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmUtc2lnbmF0dXJl";

    @Test
    void cuts_the_signature_of_anything_shaped_like_a_token() {
        String out = Secrets.redact("token " + JWS + " installed");
        assertEquals("token eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJULTQ3MTEifQ.[signature cut] installed", out);
    }

    @Test
    void leaves_ordinary_text_alone() {
        String text = "settings.put installation.json v12 (3.2 bar) at 2026-12-11 08:00";
        assertEquals(text, Secrets.redact(text));
    }

    @Test
    void hides_private_keys() {
        String out = Secrets.redact("key:\n-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\nok");
        assertFalse(out.contains("MC4CAQ"), out);
        assertTrue(out.contains(Secrets.HIDDEN), out);
        assertTrue(out.endsWith("ok"), out);
    }

    @Test
    void hides_members_named_like_secrets_at_any_depth_and_cuts_tokens_in_values() {
        JsonObject o = JsonParser.parseString("{\"pin\":\"123456\",\"newPin\":\"654321\",\"mqtt\":{\"password\":\"x\"},"
                + "\"token\":\"" + JWS + "\",\"spinSpeed\":3,\"list\":[{\"secret\":\"s\"}],\"document\":\"a.json\"}")
                .getAsJsonObject();
        JsonObject r = Secrets.redact(o);
        assertEquals("***", r.get("pin").getAsString());
        assertEquals("***", r.get("newPin").getAsString());
        assertEquals("***", r.getAsJsonObject("mqtt").get("password").getAsString());
        assertTrue(r.get("token").getAsString().endsWith(Secrets.SIGNATURE_CUT));
        assertEquals(3, r.get("spinSpeed").getAsInt(), "spinSpeed is no pin");
        assertEquals("***", r.getAsJsonArray("list").get(0).getAsJsonObject().get("secret").getAsString());
        assertEquals("a.json", r.get("document").getAsString());
        assertEquals("123456", o.get("pin").getAsString(), "the original is not changed");
    }
}
