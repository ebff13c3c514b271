package com.oviron.callidus.agent.access;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.oviron.callidus.agent.access.AccessTokenRejectedException.Reason;
import com.oviron.callidus.agent.subscription.PinnedKeys;
import com.oviron.callidus.cloud.command.CommandCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The compact JWS (RFC 7515) of the access tokens: Ed25519 ({@code alg} EdDSA, RFC 8037), a pinned key
 * ({@link PinnedKeys}, the codebase's one Ed25519 key parser), strict base64url, strict JSON, and a required
 * {@code typ} that tells a technician token from a reset token and both from a subscription token (whose
 * {@code typ} is {@code JWT} or absent), so that one can never be taken for another.
 */
final class AccessJws {
    private static final Set<String> HEADER_FIELDS = Set.of("alg", "kid", "typ");
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]*");

    /** A JWS whose signature verified: its key id and payload, not yet interpreted. */
    record Verified(String keyId, JsonObject payload) {
    }

    private AccessJws() {
    }

    /**
     * @throws AccessTokenRejectedException with the first check that fails: size, shape, header ({@code alg}
     *     first, so that {@code none} and HMAC are refused before any key is looked at), key id, signature,
     *     payload JSON
     */
    static Verified verify(String compact, int maxChars, String typ, PinnedKeys keys)
            throws AccessTokenRejectedException {
        String jws = compact.strip();
        if (jws.length() > maxChars) {
            throw new AccessTokenRejectedException(Reason.TOO_LARGE, "token of " + jws.length()
                    + " characters, at most " + maxChars + " accepted");
        }
        String[] parts = jws.split("\\.", -1);
        if (parts.length != 3) {
            throw new AccessTokenRejectedException(Reason.MALFORMED, "a token has 3 parts separated by dots, this has "
                    + parts.length);
        }
        JsonObject header = json(parts[0], "header");
        String kid = checkHeader(header, typ);
        PublicKey key = keys.key(kid).orElseThrow(() -> new AccessTokenRejectedException(Reason.UNKNOWN_KEY,
                "key id '" + kid + "' is not pinned on this unit (pinned: " + String.join(", ", keys.keyIds()) + ")"));
        byte[] signature = decode(parts[2], "signature");
        if (signature.length != 64 || !valid(key, (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII),
                signature)) {
            throw new AccessTokenRejectedException(Reason.BAD_SIGNATURE, "the signature does not verify with key '"
                    + kid + "'");
        }
        return new Verified(kid, json(parts[1], "payload"));
    }

    /** Signs {@code payload} with the header {@code {"alg":"EdDSA","kid":..,"typ":..}}. */
    static String sign(JsonObject payload, String typ, String keyId, PrivateKey key) {
        return sign(payload, typ, keyId, input -> {
            try {
                Signature signer = Signature.getInstance("Ed25519");
                signer.initSign(key);
                signer.update(input);
                return signer.sign();
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot sign with this key (an Ed25519 private key is needed): "
                        + e.getMessage(), e);
            }
        });
    }

    /** Signs {@code payload} with a signer that keeps its private key to itself (the unit's key). */
    static String sign(JsonObject payload, String typ, String keyId, java.util.function.UnaryOperator<byte[]> signer) {
        if (!PinnedKeys.KEY_ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("key id must match " + PinnedKeys.KEY_ID.pattern());
        }
        JsonObject header = new JsonObject();
        header.addProperty("alg", "EdDSA");
        header.addProperty("kid", keyId);
        header.addProperty("typ", typ);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payload.toString().getBytes(StandardCharsets.UTF_8));
        return input + "." + b64.encodeToString(signer.apply(input.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String checkHeader(JsonObject header, String typ) throws AccessTokenRejectedException {
        if (!(header.get("alg") instanceof JsonPrimitive alg) || !alg.isString()) {
            throw new AccessTokenRejectedException(Reason.BAD_HEADER, "header has no alg");
        }
        if (!alg.getAsString().equals("EdDSA")) {
            throw new AccessTokenRejectedException(Reason.ALGORITHM_NOT_ALLOWED, "alg '"
                    + printable(alg.getAsString()) + "' is not allowed, only EdDSA (Ed25519)");
        }
        for (String field : header.keySet()) {
            if (!HEADER_FIELDS.contains(field)) {
                throw new AccessTokenRejectedException(Reason.BAD_HEADER, "header field '" + printable(field)
                        + "' is not allowed (only alg, kid, typ)");
            }
        }
        if (!(header.get("typ") instanceof JsonPrimitive t) || !t.isString() || !t.getAsString().equals(typ)) {
            throw new AccessTokenRejectedException(Reason.BAD_HEADER, "typ must be \"" + typ + "\" (is this the"
                    + " right kind of token?)");
        }
        if (!(header.get("kid") instanceof JsonPrimitive kid) || !kid.isString()
                || !PinnedKeys.KEY_ID.matcher(kid.getAsString()).matches()) {
            throw new AccessTokenRejectedException(Reason.BAD_HEADER, "header kid is required and must match "
                    + PinnedKeys.KEY_ID.pattern());
        }
        return kid.getAsString();
    }

    private static JsonObject json(String part, String what) throws AccessTokenRejectedException {
        byte[] bytes = decode(part, what);
        JsonElement e;
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            e = CommandCodec.parseStrict(text);
        } catch (CharacterCodingException ex) {
            throw new AccessTokenRejectedException(Reason.MALFORMED, what + " is not UTF-8");
        } catch (IOException | RuntimeException ex) {
            throw new AccessTokenRejectedException(Reason.MALFORMED, what + " is not strict JSON");
        }
        if (!e.isJsonObject()) {
            throw new AccessTokenRejectedException(Reason.MALFORMED, what + " is not a JSON object");
        }
        return e.getAsJsonObject();
    }

    /** Strict unpadded base64url: one spelling per value. */
    private static byte[] decode(String part, String what) throws AccessTokenRejectedException {
        if (part.isEmpty() || !BASE64URL.matcher(part).matches() || part.length() % 4 == 1) {
            throw new AccessTokenRejectedException(Reason.MALFORMED, what + " is not base64url");
        }
        byte[] bytes = Base64.getUrlDecoder().decode(part);
        if (!Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(part)) {
            throw new AccessTokenRejectedException(Reason.MALFORMED, what + " is not canonical base64url");
        }
        return bytes;
    }

    private static boolean valid(PublicKey key, byte[] input, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(input);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 32 ? s.substring(0, 32) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
