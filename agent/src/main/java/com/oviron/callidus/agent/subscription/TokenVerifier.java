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
import java.security.PublicKey;
import java.security.Signature;
import java.util.Objects;
import java.util.Set;

/**
 * Checks a subscription token: a compact JWS (RFC 7515) signed with Ed25519 ({@code alg} EdDSA, RFC 8037),
 * verified with the JDK's own Ed25519. In this order, and the first failure is the reason:
 * <ol>
 *   <li>at most {@value #MAX_TOKEN_CHARS} characters, exactly three parts separated by dots, each strict
 *       unpadded base64url;</li>
 *   <li>the header is strict JSON with exactly {@code alg}, {@code kid} and optionally {@code typ}:
 *       {@code alg} must be {@code EdDSA} (the algorithm is pinned: {@code none}, HMAC and everything else are
 *       refused before any key is looked at), {@code typ} if present {@code JWT};</li>
 *   <li>{@code kid} names a pinned key;</li>
 *   <li>the 64-byte signature verifies over the ASCII bytes of {@code header.payload};</li>
 *   <li>the claims are well-formed ({@link TokenClaimsCodec}), {@code iss} is the expected issuer and
 *       {@code sub} is this unit's serial.</li>
 * </ol>
 * Dates (whether the subscription is active) are not this class's business: see {@link Entitlement}.
 * Thread-safe.
 */
public final class TokenVerifier {
    /** Longest token accepted, in characters; a real one is about 500. */
    public static final int MAX_TOKEN_CHARS = 4096;
    private static final Set<String> HEADER_FIELDS = Set.of("alg", "kid", "typ");

    private final String expectedIssuer;
    private final String deviceSerial;
    private final PinnedKeys keys;

    /**
     * @param expectedIssuer the {@code iss} every token must carry
     * @param deviceSerial   this unit's serial; a token for another serial is refused
     * @param keys           the pinned public keys by key id
     */
    public TokenVerifier(String expectedIssuer, String deviceSerial, PinnedKeys keys) {
        this.expectedIssuer = Objects.requireNonNull(expectedIssuer, "expectedIssuer");
        this.deviceSerial = Objects.requireNonNull(deviceSerial, "deviceSerial");
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    public String deviceSerial() {
        return deviceSerial;
    }

    /**
     * @param compact the token; surrounding white space (a pasted line) is ignored
     * @return the verified token
     * @throws TokenRejectedException with the first reason it fails
     */
    public VerifiedToken verify(String compact) throws TokenRejectedException {
        Objects.requireNonNull(compact, "compact");
        String token = compact.strip();
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new TokenRejectedException(Reason.TOO_LARGE, "token of " + token.length() + " characters, at most "
                    + MAX_TOKEN_CHARS + " accepted");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new TokenRejectedException(Reason.MALFORMED, "a compact JWS has 3 parts separated by dots, this has "
                    + parts.length);
        }
        JsonObject header = jsonPart(parts[0], "header");
        String kid = checkHeader(header);
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
        JsonObject payload = jsonPart(parts[1], "payload");
        SubscriptionToken claims;
        try {
            claims = TokenClaimsCodec.fromJson(payload);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new TokenRejectedException(Reason.BAD_CLAIMS, e.getMessage());
        }
        if (!claims.issuer().equals(expectedIssuer)) {
            throw new TokenRejectedException(Reason.WRONG_ISSUER, "issuer '" + claims.issuer() + "' is not the expected '"
                    + expectedIssuer + "'");
        }
        if (!claims.deviceSerial().equals(deviceSerial)) {
            throw new TokenRejectedException(Reason.WRONG_DEVICE, "token is for unit '" + claims.deviceSerial()
                    + "', this unit is '" + deviceSerial + "'");
        }
        return new VerifiedToken(claims, kid, token);
    }

    private static String checkHeader(JsonObject header) throws TokenRejectedException {
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
        if (header.has("typ") && (!(header.get("typ") instanceof JsonPrimitive typ) || !typ.isString()
                || !typ.getAsString().equals("JWT"))) {
            throw new TokenRejectedException(Reason.BAD_HEADER, "typ must be \"JWT\" when present");
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
