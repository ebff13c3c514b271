package com.oviron.callidus.agent.selftest;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.oviron.callidus.agent.subscription.Base64Url;
import com.oviron.callidus.hal.StrictJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Set;

/**
 * The signed self-test result: a compact JWS (RFC 7515) with Ed25519 ({@code alg} EdDSA, RFC 8037), the same
 * form as the subscription token: {@code BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(signature)},
 * the signature over the ASCII bytes of {@code header.payload}. Header {@code {"alg":"EdDSA","kid":<unit key
 * id>,"typ":"callidus-selftest"}}; the payload is the result document (docs/protocol.md, "selftest"). Anyone
 * with the unit's public key can check it, e.g. with {@code openssl pkeyutl -verify -rawin}.
 */
public final class SelfTestJws {
    public static final String TYPE = "callidus-selftest";
    /** Longest signed result accepted by {@link #verify}. */
    public static final int MAX_CHARS = 64 * 1024;

    private SelfTestJws() {
    }

    /** Signs the document with the unit's key. */
    public static String sign(JsonObject document, UnitKey key) {
        JsonObject header = new JsonObject();
        header.addProperty("alg", "EdDSA");
        header.addProperty("kid", key.keyId());
        header.addProperty("typ", TYPE);
        String input = Base64Url.encode(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + Base64Url.encode(document.toString().getBytes(StandardCharsets.UTF_8));
        return input + "." + Base64Url.encode(key.sign(input.getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * Checks a signed result with the unit's public key alone.
     *
     * @return the result document
     * @throws IllegalArgumentException saying what is wrong (form, header, key id, signature, document)
     */
    public static JsonObject verify(String jws, PublicKey key) {
        String text = jws.strip();
        if (text.length() > MAX_CHARS) {
            throw new IllegalArgumentException("longer than " + MAX_CHARS + " characters");
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("a compact JWS has 3 parts separated by dots, this has " + parts.length);
        }
        JsonObject header = json(parts[0], "header");
        if (!Set.of("alg", "kid", "typ").equals(header.keySet())) {
            throw new IllegalArgumentException("the header must have exactly alg, kid and typ, has " + header.keySet());
        }
        if (!"EdDSA".equals(string(header, "alg")) || !TYPE.equals(string(header, "typ"))) {
            throw new IllegalArgumentException("not a self-test result: alg must be EdDSA and typ " + TYPE);
        }
        String kid = UnitKey.keyId(key);
        if (!kid.equals(string(header, "kid"))) {
            throw new IllegalArgumentException("signed by unit key " + string(header, "kid") + ", not by the key given ("
                    + kid + ")");
        }
        byte[] signature = Base64Url.decode(parts[2]);
        if (signature.length != 64 || !verifies(key, (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII),
                signature)) {
            throw new IllegalArgumentException("the signature does not verify with unit key " + kid);
        }
        JsonObject doc = json(parts[1], "payload");
        if (!doc.has("v") || doc.get("v").getAsInt() != 1 || !"callidus.selftest".equals(string(doc, "kind"))) {
            throw new IllegalArgumentException("the payload is not a self-test result of format 1");
        }
        return doc;
    }

    static boolean verifies(PublicKey key, byte[] data, byte[] signature) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static JsonObject json(String part, String what) {
        try {
            JsonElement e = StrictJson.parse(new String(Base64Url.decode(part), StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException("the " + what + " is not a JSON object");
            }
            return e.getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("the " + what + " is not strict base64url JSON: " + e.getMessage(), e);
        }
    }

    private static String string(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : "";
    }
}
