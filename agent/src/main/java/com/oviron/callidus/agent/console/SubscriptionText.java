package com.oviron.callidus.agent.console;

import static com.oviron.callidus.agent.console.ConsoleFormat.object;
import static com.oviron.callidus.agent.console.ConsoleFormat.text;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The lines of {@code sub}: the reply of {@code subscription.get} (docs/protocol.md) for a person. */
final class SubscriptionText {
    private SubscriptionText() {
    }

    static List<String> lines(JsonObject s) {
        JsonObject sm = object(s, "serviceManager");
        JsonObject ew = object(s, "extendedWarranty");
        JsonObject clock = object(s, "clock");
        JsonElement token = s.get("token");
        boolean hasToken = token != null && token.isJsonObject();
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        pairs.add(Map.entry("state", text(s, "state")));
        pairs.add(Map.entry("service manager", hasToken
                ? "last day " + text(sm, "end") + " (" + daysLeft(sm.get("daysUntilEnd")) + ")"
                : "no token installed"));
        pairs.add(Map.entry("cloud services", ("true".equals(text(s, "cloudServicesAllowed")) ? "allowed" : "off")
                + (hasToken ? ", last day " + text(sm, "cloudServicesUntil") : "")));
        String paidUntil = text(ew, "paidUntil");
        pairs.add(Map.entry("extended warranty", "true".equals(text(ew, "active")) ? "active, paid until " + paidUntil
                : "-".equals(paidUntil) ? "not bought" : "not active (paid until " + paidUntil + ")"));
        pairs.add(Map.entry("updates", "true".equals(text(s, "updatesAllowed")) ? "allowed" : "not allowed"));
        pairs.add(Map.entry("renewal reminder", "true".equals(text(s, "reminderDue")) ? "due" : "not due"));
        pairs.add(Map.entry("clock", text(clock, "state") + ", trusted time "
                + ConsoleFormat.time(clock.get("trustedTime")) + ", local clock "
                + ConsoleFormat.time(clock.get("localTime"))
                + (clock.has("localCorrectionMs") && !"0".equals(text(clock, "localCorrectionMs"))
                        ? " (corrected by " + correction(text(clock, "localCorrectionMs")) + ")" : "")));
        if (hasToken) {
            JsonObject t = token.getAsJsonObject();
            pairs.add(Map.entry("token", "serial " + text(t, "tsn") + ", key " + text(t, "kid") + ", issued "
                    + ConsoleFormat.time(t.get("issuedAt")) + ", purchased " + text(t, "purchaseDate")));
        }
        return ConsoleFormat.keyValues(pairs);
    }

    /** A correction in milliseconds as {@code +2d 03h 10m} or {@code -30d 00h 00m}. */
    static String correction(String millis) {
        try {
            long ms = Long.parseLong(millis);
            long m = Math.abs(ms) / 60_000;
            return String.format(java.util.Locale.ROOT, "%s%dd %02dh %02dm", ms < 0 ? "-" : "+", m / 1440, m / 60 % 24,
                    m % 60);
        } catch (NumberFormatException notANumber) {
            return millis + " ms";
        }
    }

    private static String daysLeft(JsonElement days) {
        try {
            long d = days.getAsLong();
            return d > 1 ? d + " days left" : d == 1 ? "ends tomorrow" : d == 0 ? "ends today"
                    : "ended " + -d + (d == -1 ? " day ago" : " days ago");
        } catch (RuntimeException notANumber) {
            return text(days);
        }
    }
}
