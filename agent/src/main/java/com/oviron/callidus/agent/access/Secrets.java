package com.oviron.callidus.agent.access;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from what is printed at a console, audited or sent (issue 14: "never prints a secret"):
 * the value of a member whose name ends in what says it is one ({@code pin}, {@code newPin}, {@code password},
 * {@code secret}, {@code privateKey}...) becomes {@value #HIDDEN}; anything shaped like a compact JWS (a token, a signed
 * statement) keeps its header and claims but loses its signature ({@code ...header.claims.[signature cut]}), so
 * it can be identified but never replayed; a PEM private key block becomes {@value #HIDDEN}.
 */
public final class Secrets {
    public static final String HIDDEN = "***";
    public static final String SIGNATURE_CUT = "[signature cut]";
    private static final Pattern JWS = Pattern.compile(
            "\\b([A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.)[A-Za-z0-9_-]{16,}");
    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\\s\\S]*?(-----END \\1PRIVATE KEY-----|$)");
    private static final Pattern SECRET_NAME = Pattern.compile(
            ".*(pin|pins|password|passwd|secret|privatekey|private_key|credential|credentials|apikey|api_key)");

    private Secrets() {
    }

    /** {@code text} with signatures cut and private keys hidden. */
    public static String redact(String text) {
        String t = PRIVATE_KEY.matcher(text).replaceAll(HIDDEN);
        Matcher m = JWS.matcher(t);
        return m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + SIGNATURE_CUT));
    }

    /** A copy of {@code o} with secret members hidden and every string redacted, at any depth. */
    public static JsonObject redact(JsonObject o) {
        JsonObject out = new JsonObject();
        for (Map.Entry<String, JsonElement> m : o.entrySet()) {
            if (SECRET_NAME.matcher(m.getKey().toLowerCase(Locale.ROOT)).matches()) {
                out.addProperty(m.getKey(), HIDDEN);
            } else {
                out.add(m.getKey(), redact(m.getValue()));
            }
        }
        return out;
    }

    private static JsonElement redact(JsonElement e) {
        if (e.isJsonObject()) {
            return redact(e.getAsJsonObject());
        }
        if (e.isJsonArray()) {
            JsonArray a = new JsonArray();
            e.getAsJsonArray().forEach(x -> a.add(redact(x)));
            return a;
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            return new JsonPrimitive(redact(e.getAsString()));
        }
        return e;
    }
}
