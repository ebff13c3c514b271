package com.oviron.callidus.agent.settings;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;

/**
 * Equality and kinds of JSON values as settings understand them: numbers are equal when their values are
 * ({@code 1.0} and {@code 1}, also beyond double precision), strings and booleans as usual, arrays element by
 * element, objects key by key regardless of order.
 */
final class JsonValues {
    private JsonValues() {
    }

    static boolean same(JsonElement a, JsonElement b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.isJsonNull() || b.isJsonNull()) {
            return a.isJsonNull() && b.isJsonNull();
        }
        if (a instanceof JsonPrimitive pa && b instanceof JsonPrimitive pb) {
            if (pa.isNumber() && pb.isNumber()) {
                return number(pa).compareTo(number(pb)) == 0;
            }
            return pa.equals(pb) && pa.isNumber() == pb.isNumber();
        }
        if (a instanceof JsonArray xa && b instanceof JsonArray xb) {
            if (xa.size() != xb.size()) {
                return false;
            }
            for (int i = 0; i < xa.size(); i++) {
                if (!same(xa.get(i), xb.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof JsonObject oa && b instanceof JsonObject ob) {
            if (!oa.keySet().equals(ob.keySet())) {
                return false;
            }
            for (String key : oa.keySet()) {
                if (!same(oa.get(key), ob.get(key))) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private static BigDecimal number(JsonPrimitive p) {
        try {
            return new BigDecimal(p.getAsString());
        } catch (NumberFormatException e) {
            // NaN or infinity cannot come from strict JSON; compare them as doubles if they ever do
            return BigDecimal.valueOf(p.getAsDouble());
        }
    }

    /** The kind of a value for type preservation: object, array, string, number, boolean or null. */
    static String kind(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return "null";
        }
        if (e.isJsonObject()) {
            return "object";
        }
        if (e.isJsonArray()) {
            return "array";
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        return p.isNumber() ? "number" : p.isBoolean() ? "boolean" : "string";
    }
}
