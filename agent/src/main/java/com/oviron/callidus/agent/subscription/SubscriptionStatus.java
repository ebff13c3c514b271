package com.oviron.callidus.agent.subscription;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot for the console, {@code subscription.get} and the health report: the decision, the clock and
 * the installed token's identity (never the token itself).
 *
 * @param entitlement what is allowed now
 * @param clock       the trusted-time reading it was decided at
 * @param token       the installed token, if any
 */
public record SubscriptionStatus(Entitlement entitlement, TrustedClock.Reading clock, Optional<VerifiedToken> token) {
    public SubscriptionStatus {
        Objects.requireNonNull(entitlement, "entitlement");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(token, "token");
    }

    /** The JSON of {@code subscription.get} (docs/protocol.md, "subscription.get"). */
    public JsonObject toJson() {
        Entitlement e = entitlement;
        JsonObject o = new JsonObject();
        o.addProperty("state", e.serviceManager().wire());
        o.addProperty("cloudServicesAllowed", e.cloudServicesAllowed());
        o.addProperty("updatesAllowed", e.updatesAllowed());
        o.addProperty("reminderDue", e.reminderDue());
        JsonObject sm = new JsonObject();
        sm.addProperty("active", e.serviceManager() == ServiceManagerState.ACTIVE);
        date(sm, "end", e.serviceManagerEnd());
        date(sm, "cloudServicesUntil", e.cloudServicesUntil());
        if (token.isPresent()) {
            sm.addProperty("daysUntilEnd", e.daysUntilEnd());
        } else {
            sm.add("daysUntilEnd", JsonNull.INSTANCE);
        }
        o.add("serviceManager", sm);
        JsonObject ew = new JsonObject();
        ew.addProperty("active", e.extendedWarrantyActive());
        date(ew, "paidUntil", e.extendedWarrantyUntil());
        o.add("extendedWarranty", ew);
        if (token.isPresent()) {
            SubscriptionToken t = token.get().claims();
            JsonObject tj = new JsonObject();
            tj.addProperty("tsn", t.tokenSerial());
            tj.addProperty("kid", token.get().keyId());
            tj.addProperty("issuedAt", t.issuedAt().toEpochMilli());
            tj.addProperty("purchaseDate", t.purchaseDate().toString());
            date(tj, "serviceManagerPaidUntil", t.serviceManagerPaidUntil());
            tj.addProperty("graceDays", t.graceDays());
            o.add("token", tj);
        } else {
            o.add("token", JsonNull.INSTANCE);
        }
        o.add("clock", clockJson(clock));
        return o;
    }

    /** The {@code clock} object of {@code subscription.get} (also in the reply of {@code clock.challenge}). */
    static JsonObject clockJson(TrustedClock.Reading reading) {
        JsonObject c = new JsonObject();
        c.addProperty("state", reading.clockState());
        c.addProperty("trustedTime", reading.trustedNow().toEpochMilli());
        c.addProperty("ownTime", reading.ownTime().toEpochMilli());
        c.addProperty("localTime", reading.localNow().toEpochMilli());
        c.addProperty("localCorrectionMs", reading.localCorrection().toMillis());
        c.addProperty("lastJumpBackSeconds", reading.lastJumpBack().toSeconds());
        if (reading.lastTrustedSource().isPresent() && reading.lastTrustedAt().isPresent()) {
            c.addProperty("lastTrustedSource", reading.lastTrustedSource().get());
            c.addProperty("lastTrustedAt", reading.lastTrustedAt().get().toEpochMilli());
        }
        return c;
    }

    private static void date(JsonObject o, String name, Optional<LocalDate> d) {
        if (d.isPresent()) {
            o.addProperty(name, d.get().toString());
        } else {
            o.add(name, JsonNull.INSTANCE);
        }
    }
}
