package com.oviron.callidus.agent.subscription;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.oviron.callidus.agent.subscription.TokenRejectedException.Reason;
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
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The compact JWS (RFC 7515) both signed things of the subscription use, a token and a time statement:
 * Ed25519 ({@code alg} EdDSA, RFC 8037) with a pinned key, strict base64url and strict JSON. What differs
 * between them is the header's {@code typ} (so one can never be taken for the other) and the payload, which
 * the caller reads. The checks, in this order, the first failure being the reason:
 * <ol>
 *   <li>at most {@code maxChars} characters, exactly three parts separated by dots, each strict unpadded
 *       base64url;</li>
 *   <li>the header is strict JSON with exactly {@code alg}, {@code kid} and {@code typ} (optional or required,
 *       see {@link Type}): {@code alg} must be {@code EdDSA} (pinned: {@code none}, HMAC and everything else are
 *       refused before any key is looked at), {@code typ} the expected one, {@code kid} well-formed;</li>
 *   <li>{@code kid} names a pinned key;</li>
 *   <li>the 64-byte signature verifies over the ASCII bytes of {@code header.payload};</li>
 *   <li>the payload is a strict JSON object.</li>
 * </ol>
 * Public for the other signed things of the unit that are read and made the same way: the access tokens
 * (technician and PIN reset tokens) and the service record signed with the unit's own key (issue 14).
 */
public final class CompactJws {
    private static final Set<String> HEADER_FIELDS = Set.of("alg", "kid", "typ");

    /**
     * What kind of JWS is expected.
     *
     * @param noun     what it is called in messages ("token")
     * @param value    the only {@code typ} allowed
     * @param required whether {@code typ} must be there
     */
    public record Type(String noun, String value, boolean required) {
        public Type {
            Objects.requireNonNull(noun, "noun");
            Objects.requireNonNull(value, "value");
        }
    }

    /** A JWS whose signature verified: the key id and the payload, not yet interpreted. */
    public record Verified(String keyId, JsonObject payload, String compact) {
    }

    private CompactJws() {
    }

    /**
     * @param compact  the JWS; surrounding white space (a pasted line) is ignored
     * @param maxChars the longest accepted
     * @throws TokenRejectedException with the first reason it fails
     */
    public static Verified verify(String compact, int maxChars, Type type, PinnedKeys keys)
            throws TokenRejectedException {
        Objects.requireNonNull(compact, "compact");
        String jws = compact.strip();
        if (jws.length() > maxChars) {
            throw new TokenRejectedException(Reason.TOO_LARGE, type.noun() + " of " + jws.length() + " characters, at most " + maxChars
                    + " accepted");
        }
        String[] parts = jws.split("\\.", -1);
        if (parts.length != 3) {
            throw new TokenRejectedException(Reason.MALFORMED, "a compact JWS has 3 parts separated by dots, this has "
                    + parts.length);
        }
        JsonObject header = jsonPart(parts[0], "header");
        String kid = checkHeader(header, type);
        PublicKey key = keys.key(kid).orElseThrow(() -> new TokenRejectedException(Reason.UNKNOWN_KEY,
                "key id '" + kid + "' is not pinned on this unit (pinned: " + String.join(", ", keys.keyIds()) + ")"));
        byte[] signature = decodePart(parts[2], "signature");
        if (signature.length != 64) {
            throw new TokenRejectedException(Reason.BAD_SIGNATURE, "an Ed25519 signature has 64 bytes, this has "
                    + signature.length);
        }
        if (!signatureValid(key, (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII), signature)) {
            throw new TokenRejectedException(Reason.BAD_SIGNATURE, "signature does not verify with key '" + kid + "'");
        }
        return new Verified(kid, jsonPart(parts[1], "payload"), jws);
    }

    /** Signs {@code payload} with the header {@code {"alg":"EdDSA","kid":..,"typ":..}}; returns the compact JWS. */
    public static String sign(JsonObject payload, String typ, String keyId, PrivateKey key) {
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

    /**
     * Signs with a signer that keeps its private key to itself (the unit's own key: {@code signer} returns the
     * 64-byte Ed25519 signature of the bytes it is given).
     */
    public static String sign(JsonObject payload, String typ, String keyId, UnaryOperator<byte[]> signer) {
        if (!PinnedKeys.KEY_ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("key id must match " + PinnedKeys.KEY_ID.pattern());
        }
        JsonObject header = new JsonObject();
        header.addProperty("alg", "EdDSA");
        header.addProperty("kid", keyId);
        header.addProperty("typ", typ);
        String signingInput = Base64Url.encode(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + Base64Url.encode(payload.toString().getBytes(StandardCharsets.UTF_8));
        return signingInput + "." + Base64Url.encode(signer.apply(signingInput.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String checkHeader(JsonObject header, Type type) throws TokenRejectedException {
        if (!(header.get("alg") instanceof JsonPrimitive alg) || !alg.isString()) {
            throw new TokenRejectedException(Reason.BAD_HEADER, "header has no alg");
        }
        if (!alg.getAsString().equals("EdDSA")) {
            throw new TokenRejectedException(Reason.ALGORITHM_NOT_ALLOWED, "alg '" + printable(alg.getAsString())
                    + "' is not allowed, only EdDSA (Ed25519)");
        }
        for (String field : header.keySet()) {
            if (!HEADER_FIELDS.contains(field)) {
                throw new TokenRejectedException(Reason.BAD_HEADER, "header field '" + printable(field)
                        + "' is not allowed (only alg, kid, typ)");
            }
        }
        if (header.has("typ") || type.required()) {
            if (!(header.get("typ") instanceof JsonPrimitive typ) || !typ.isString()
                    || !typ.getAsString().equals(type.value())) {
                throw new TokenRejectedException(Reason.BAD_HEADER, "typ must be \"" + type.value() + "\""
                        + (type.required() ? "" : " when present"));
            }
        }
        if (!(header.get("kid") instanceof JsonPrimitive kid) || !kid.isString()
                || !PinnedKeys.KEY_ID.matcher(kid.getAsString()).matches()) {
            throw new TokenRejectedException(Reason.BAD_HEADER, "header kid is required and must match "
                    + PinnedKeys.KEY_ID.pattern());
        }
        return kid.getAsString();
    }

    private static JsonObject jsonPart(String part, String what) throws TokenRejectedException {
        byte[] bytes = decodePart(part, what);
        JsonElement e;
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            e = CommandCodec.parseStrict(text);
        } catch (CharacterCodingException ex) {
            throw new TokenRejectedException(Reason.MALFORMED, what + " is not UTF-8");
        } catch (IOException | RuntimeException ex) {
            throw new TokenRejectedException(Reason.MALFORMED, what + " is not strict JSON: " + ex.getMessage());
        }
        if (!e.isJsonObject()) {
            throw new TokenRejectedException(Reason.MALFORMED, what + " is not a JSON object");
        }
        return e.getAsJsonObject();
    }

    private static byte[] decodePart(String part, String what) throws TokenRejectedException {
        if (part.isEmpty()) {
            throw new TokenRejectedException(Reason.MALFORMED, what + " is empty");
        }
        try {
            return Base64Url.decode(part);
        } catch (IllegalArgumentException e) {
            throw new TokenRejectedException(Reason.MALFORMED, what + ": " + e.getMessage());
        }
    }

    private static boolean signatureValid(PublicKey key, byte[] signingInput, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(signingInput);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // a signature the JDK cannot even parse (e.g. S out of range) is simply not valid
            return false;
        }
    }

    /** Header values go into messages; keep them short and printable. */
    private static String printable(String s) {
        String cut = s.length() > 32 ? s.substring(0, 32) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
