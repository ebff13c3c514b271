package com.oviron.callidus.agent.access;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.oviron.callidus.agent.access.AccessTokenRejectedException.Reason;
import com.oviron.callidus.agent.subscription.PinnedKeys;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads and checks the two access tokens Oviron signs (docs/console.md): the technician token (log in as a
 * technician, {@code typ} {@value #TECHNICIAN_TYP}) and the PIN reset token ({@code typ} {@value #RESET_TYP}).
 * In this order, the first failure being the reason: the JWS checks ({@link AccessJws}: size, shape, header,
 * pinned key, signature), the claims, the issuer, the unit, the times (not before {@code iat} less
 * {@link #CLOCK_TOLERANCE}, not after {@code exp}, and not valid for longer than the kind allows). Whether a
 * reset token was used already is the caller's business. Thread-safe; also used by the vendor tool.
 */
public final class AccessTokens {
    public static final String TECHNICIAN_TYP = "technician+jwt";
    public static final String RESET_TYP = "pin-reset+jwt";
    /** Longest token read, in characters; a real one is about 400. */
    public static final int MAX_TOKEN_CHARS = 2048;
    /** A technician token is valid for 31 days at most. */
    public static final Duration MAX_TECHNICIAN_VALIDITY = Duration.ofDays(31);
    /** A reset token is valid for 3 days at most. */
    public static final Duration MAX_RESET_VALIDITY = Duration.ofDays(3);
    /** How far ahead of the unit's clock {@code iat} may lie (the unit's clock is a little slow). */
    public static final Duration CLOCK_TOLERANCE = Duration.ofMinutes(10);
    public static final String DEFAULT_ISSUER = "oviron-service";
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,19}");

    private final String issuer;
    private final String deviceSerial;
    private final PinnedKeys keys;

    /**
     * @param issuer       the {@code iss} every token must carry
     * @param deviceSerial this unit's serial
     * @param keys         the keys pinned for access tokens ({@code access.keys})
     */
    public AccessTokens(String issuer, String deviceSerial, PinnedKeys keys) {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.deviceSerial = Objects.requireNonNull(deviceSerial, "deviceSerial");
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    /** A verified technician token, with the key id it was signed with. */
    public record VerifiedTechnician(TechnicianToken claims, String keyId) {
    }

    /** Checks a technician token at {@code now}. */
    public VerifiedTechnician technician(String compact, Instant now) throws AccessTokenRejectedException {
        com.oviron.callidus.agent.subscription.CompactJws.Verified jws = AccessJws.verify(compact, MAX_TOKEN_CHARS, TECHNICIAN_TYP, keys);
        TechnicianToken t;
        try {
            JsonObject c = jws.payload();
            Role role = Role.fromWire(string(c, "role")).orElseThrow(() -> new IllegalArgumentException(
                    "claim role must be clinic or service"));
            t = new TechnicianToken(string(c, "iss"), string(c, "sub"), optionalString(c, "name"), role,
                    string(c, "dev"), seconds(c, "iat"), seconds(c, "exp"), string(c, "jti"));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new AccessTokenRejectedException(Reason.BAD_CLAIMS, e.getMessage());
        }
        checkIssuer(t.issuer());
        if (!t.device().equals(TechnicianToken.ANY_DEVICE) && !t.device().equals(deviceSerial)) {
            throw new AccessTokenRejectedException(Reason.WRONG_DEVICE, "the token is for unit '"
                    + printable(t.device()) + "', this unit is '" + deviceSerial + "'");
        }
        checkTimes(t.issuedAt(), t.expiresAt(), MAX_TECHNICIAN_VALIDITY, now);
        return new VerifiedTechnician(t, jws.keyId());
    }

    /** Checks a PIN reset token at {@code now} (not whether it was used already). */
    public PinResetToken reset(String compact, Instant now) throws AccessTokenRejectedException {
        com.oviron.callidus.agent.subscription.CompactJws.Verified jws = AccessJws.verify(compact, MAX_TOKEN_CHARS, RESET_TYP, keys);
        PinResetToken t;
        try {
            JsonObject c = jws.payload();
            t = new PinResetToken(string(c, "iss"), string(c, "sub"), string(c, "dev"), seconds(c, "iat"),
                    seconds(c, "exp"), string(c, "jti"));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new AccessTokenRejectedException(Reason.BAD_CLAIMS, e.getMessage());
        }
        checkIssuer(t.issuer());
        if (!t.device().equals(deviceSerial)) {
            throw new AccessTokenRejectedException(Reason.WRONG_DEVICE, "the reset token is for unit '"
                    + printable(t.device()) + "', this unit is '" + deviceSerial + "'");
        }
        checkTimes(t.issuedAt(), t.expiresAt(), MAX_RESET_VALIDITY, now);
        return t;
    }

    /** Makes a technician token as Oviron's service portal does (vendor tool and tests). */
    public static String sign(TechnicianToken t, String keyId, PrivateKey key) {
        JsonObject c = new JsonObject();
        c.addProperty("iss", t.issuer());
        c.addProperty("sub", t.technicianId());
        t.name().ifPresent(n -> c.addProperty("name", n));
        c.addProperty("role", t.role().wire());
        c.addProperty("dev", t.device());
        c.addProperty("iat", t.issuedAt().getEpochSecond());
        c.addProperty("exp", t.expiresAt().getEpochSecond());
        c.addProperty("jti", t.tokenId());
        return AccessJws.sign(c, TECHNICIAN_TYP, keyId, key);
    }

    /** Makes a PIN reset token as Oviron's service portal does (vendor tool and tests). */
    public static String sign(PinResetToken t, String keyId, PrivateKey key) {
        JsonObject c = new JsonObject();
        c.addProperty("iss", t.issuer());
        c.addProperty("sub", t.issuedBy());
        c.addProperty("dev", t.device());
        c.addProperty("iat", t.issuedAt().getEpochSecond());
        c.addProperty("exp", t.expiresAt().getEpochSecond());
        c.addProperty("jti", t.tokenId());
        return AccessJws.sign(c, RESET_TYP, keyId, key);
    }

    private void checkIssuer(String iss) throws AccessTokenRejectedException {
        if (!iss.equals(issuer)) {
            throw new AccessTokenRejectedException(Reason.WRONG_ISSUER, "issuer '" + printable(iss)
                    + "' is not the expected '" + issuer + "'");
        }
    }

    private static void checkTimes(Instant iat, Instant exp, Duration longest, Instant now)
            throws AccessTokenRejectedException {
        if (Duration.between(iat, exp).compareTo(longest) > 0) {
            throw new AccessTokenRejectedException(Reason.TOO_LONG, "valid for "
                    + Duration.between(iat, exp).toHours() + " hours; at most " + longest.toHours() + " are allowed");
        }
        if (!now.isBefore(exp)) {
            throw new AccessTokenRejectedException(Reason.EXPIRED, "expired at " + exp + " (the unit's time is "
                    + now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ")");
        }
        if (iat.isAfter(now.plus(CLOCK_TOLERANCE))) {
            throw new AccessTokenRejectedException(Reason.NOT_YET_VALID, "issued at " + iat
                    + ", ahead of the unit's time " + now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        }
    }

    private static String string(JsonObject o, String name) {
        return optionalString(o, name).orElseThrow(() -> new IllegalArgumentException("claim " + name
                + " is missing"));
    }

    private static Optional<String> optionalString(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            return Optional.empty();
        }
        if (!(e instanceof JsonPrimitive p) || !p.isString()) {
            throw new IllegalArgumentException("claim " + name + " must be a string");
        }
        return Optional.of(p.getAsString());
    }

    private static Instant seconds(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (!(e instanceof JsonPrimitive p) || !p.isNumber() || !INTEGER.matcher(p.getAsString()).matches()) {
            throw new IllegalArgumentException("claim " + name + " must be whole seconds since 1970");
        }
        long s = Long.parseLong(p.getAsString());
        if (s < 0 || s > 253_402_300_799L) {
            throw new IllegalArgumentException("claim " + name + " is out of range");
        }
        return Instant.ofEpochSecond(s);
    }

    private static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
