package com.oviron.callidus.agent.subscription;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The token's payload as JSON (docs/protocol.md, "Token format"). Known claims are read strictly
 * (type, shape, range); claims this version does not know are ignored, so that the server can add one
 * without breaking units in the field.
 */
final class TokenClaimsCodec {
    static final String SERVICE_MANAGER = "service_manager";
    static final String EXTENDED_WARRANTY = "extended_warranty";
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,19}");
    private static final Pattern DATE = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");

    private TokenClaimsCodec() {
    }

    static JsonObject toJson(SubscriptionToken t) {
        JsonObject o = new JsonObject();
        o.addProperty("iss", t.issuer());
        o.addProperty("sub", t.deviceSerial());
        o.addProperty("iat", t.issuedAt().getEpochSecond());
        o.addProperty("tsn", t.tokenSerial());
        o.addProperty("purchase_date", t.purchaseDate().toString());
        JsonObject paid = new JsonObject();
        t.serviceManagerPaidUntil().ifPresent(d -> paid.addProperty(SERVICE_MANAGER, d.toString()));
        t.extendedWarrantyPaidUntil().ifPresent(d -> paid.addProperty(EXTENDED_WARRANTY, d.toString()));
        o.add("paid_until", paid);
        o.addProperty("grace_days", t.graceDays());
        o.addProperty("server_time", t.serverTime().getEpochSecond());
        return o;
    }

    /** @throws IllegalArgumentException naming the claim that is missing, mistyped or out of range */
    static SubscriptionToken fromJson(JsonObject o) {
        JsonObject paid = object(o, "paid_until");
        return new SubscriptionToken(
                string(o, "iss"),
                string(o, "sub"),
                Instant.ofEpochSecond(integer(o, "iat")),
                integer(o, "tsn"),
                date(o, "purchase_date", "purchase_date").orElseThrow(() -> missing("purchase_date")),
                date(paid, SERVICE_MANAGER, "paid_until." + SERVICE_MANAGER),
                date(paid, EXTENDED_WARRANTY, "paid_until." + EXTENDED_WARRANTY),
                graceDays(o),
                Instant.ofEpochSecond(integer(o, "server_time")));
    }

    private static int graceDays(JsonObject o) {
        long g = integer(o, "grace_days");
        if (g < 0 || g > SubscriptionToken.MAX_GRACE_DAYS) {
            throw new IllegalArgumentException("claim grace_days must be between 0 and "
                    + SubscriptionToken.MAX_GRACE_DAYS + ", got " + g);
        }
        return (int) g;
    }

    private static IllegalArgumentException missing(String claim) {
        return new IllegalArgumentException("claim " + claim + " is required");
    }

    private static JsonElement required(JsonObject o, String claim) {
        JsonElement e = o.get(claim);
        if (e == null || e.isJsonNull()) {
            throw missing(claim);
        }
        return e;
    }

    /** A required string claim (also read by {@link TimeStatementCodec}). */
    static String string(JsonObject o, String claim) {
        if (!(required(o, claim) instanceof JsonPrimitive p) || !p.isString()) {
            throw new IllegalArgumentException("claim " + claim + " must be a string");
        }
        return p.getAsString();
    }

    /** A required plain JSON integer claim (also read by {@link TimeStatementCodec}). */
    static long integer(JsonObject o, String claim) {
        if (!(required(o, claim) instanceof JsonPrimitive p) || !p.isNumber()
                || !INTEGER.matcher(p.getAsString()).matches()) {
            throw new IllegalArgumentException("claim " + claim + " must be an integer");
        }
        try {
            return Long.parseLong(p.getAsString());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("claim " + claim + " is out of range");
        }
    }

    private static JsonObject object(JsonObject o, String claim) {
        JsonElement e = required(o, claim);
        if (!e.isJsonObject()) {
            throw new IllegalArgumentException("claim " + claim + " must be an object");
        }
        return e.getAsJsonObject();
    }

    private static Optional<LocalDate> date(JsonObject o, String member, String claim) {
        JsonElement e = o.get(member);
        if (e == null || e.isJsonNull()) {
            return Optional.empty();
        }
        if (!(e instanceof JsonPrimitive p) || !p.isString() || !DATE.matcher(p.getAsString()).matches()) {
            throw new IllegalArgumentException("claim " + claim + " must be a date yyyy-MM-dd");
        }
        try {
            return Optional.of(LocalDate.parse(p.getAsString()));
        } catch (DateTimeParseException ex) {
            throw new IllegalArgumentException("claim " + claim + " is not a calendar date: " + p.getAsString());
        }
    }
}
