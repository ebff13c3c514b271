package com.oviron.callidus.agent.alarms;

import com.google.gson.JsonObject;
import com.oviron.callidus.agent.diagnostics.ChannelInfo;
import com.oviron.callidus.agent.diagnostics.ErrorCatalog;
import com.oviron.callidus.store.diagnostics.AlarmRecord;

/** An alarm as JSON for events, {@code alarms.list}, {@code diagnostics.get} and reports (docs/protocol.md). */
public final class AlarmJson {
    private AlarmJson() {
    }

    /**
     * @param channel  the channel it is about (for its unit), null for the board or a GPIO line
     * @param language the language of {@code title} and {@code remedy}; null: English
     */
    public static JsonObject of(AlarmRecord a, ChannelInfo channel, ErrorCatalog.Entry entry, String language) {
        JsonObject o = new JsonObject();
        o.addProperty("id", a.id());
        o.addProperty("code", a.code());
        o.addProperty("rule", a.rule());
        o.addProperty("channel", a.channel());
        o.addProperty("state", a.active() ? "active" : "cleared");
        o.addProperty("acknowledged", a.acknowledged());
        o.addProperty("firstAt", a.firstAt());
        o.addProperty("lastAt", a.lastAt());
        a.clearedAt().ifPresent(t -> o.addProperty("clearedAt", t));
        o.addProperty("count", a.count());
        number(o, "value", a.value());
        number(o, "limit", a.limit());
        number(o, "worst", a.worst());
        if (channel != null) {
            o.addProperty("unit", channel.unit());
        }
        a.ackAt().ifPresent(t -> o.addProperty("ackAt", t));
        if (!a.ackBy().isEmpty()) {
            o.addProperty("ackBy", a.ackBy());
        }
        a.closedAt().ifPresent(t -> o.addProperty("closedAt", t));
        String lang = language == null ? "en" : language;
        o.addProperty("title", entry.text(lang).title());
        o.addProperty("remedy", entry.text(lang).remedy());
        return o;
    }

    private static void number(JsonObject o, String name, double v) {
        if (Double.isFinite(v)) {
            o.addProperty(name, Math.round(v * 10_000) / 10_000.0);
        } else {
            o.add(name, com.google.gson.JsonNull.INSTANCE);
        }
    }
}
