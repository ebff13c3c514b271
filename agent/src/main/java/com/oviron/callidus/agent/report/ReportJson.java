package com.oviron.callidus.agent.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.oviron.callidus.agent.alarms.AlarmJson;
import com.oviron.callidus.agent.diagnostics.ChannelInfo;
import com.oviron.callidus.agent.diagnostics.ErrorCatalog;
import com.oviron.callidus.agent.usage.UsageCounters;
import com.oviron.callidus.agent.usage.UsageSettings;
import com.oviron.callidus.store.diagnostics.AlarmRecord;
import java.util.HashMap;
import java.util.Map;

/** A {@link Report} as the JSON result of {@code report.get} (docs/protocol.md). */
public final class ReportJson {
    /** The order of a bucket's values. */
    public static final String COLUMNS = "start,count,min,max,mean,outOfRangeSeconds";
    /** Alarms listed at most (the reply must stay within one message; the page lists them all). */
    public static final int MAX_ALARMS = 100;

    private ReportJson() {
    }

    public static JsonObject of(Report r, ErrorCatalog catalog, UsageSettings usageSettings, String language) {
        JsonObject o = new JsonObject();
        o.addProperty("device", r.device());
        o.addProperty("from", r.fromMillis());
        o.addProperty("to", r.toMillis());
        o.addProperty("bucketMinutes", r.bucketMinutes());
        o.addProperty("generatedAt", r.generatedAt());
        o.addProperty("agentVersion", r.agentVersion());
        o.addProperty("catalogVersion", r.catalogVersion());
        o.addProperty("columns", COLUMNS);
        JsonObject channels = new JsonObject();
        Map<String, ChannelInfo> infos = new HashMap<>();
        for (Report.Series s : r.channels()) {
            infos.put(s.channel().id(), s.channel());
            if (s.buckets().isEmpty()) {
                continue;
            }
            JsonObject ch = new JsonObject();
            ch.addProperty("name", s.channel().name());
            ch.addProperty("unit", s.channel().unit());
            number(ch, "validMin", s.channel().validMin());
            number(ch, "validMax", s.channel().validMax());
            ch.addProperty("count", s.count());
            number(ch, "min", s.min());
            number(ch, "max", s.max());
            number(ch, "mean", s.mean());
            ch.addProperty("observedSeconds", s.observedMillis() / 1000);
            ch.addProperty("outOfRangeSeconds", s.outOfRangeMillis() / 1000);
            JsonArray buckets = new JsonArray();
            for (Report.Bucket b : s.buckets()) {
                JsonArray row = new JsonArray();
                row.add(b.start());
                row.add(b.count());
                add(row, b.min());
                add(row, b.max());
                add(row, b.mean());
                row.add(b.outOfRangeMillis() / 1000);
                buckets.add(row);
            }
            ch.add("buckets", buckets);
            channels.add(s.channel().id(), ch);
        }
        o.add("channels", channels);
        JsonArray alarms = new JsonArray();
        for (AlarmRecord a : r.alarms().subList(0, Math.min(MAX_ALARMS, r.alarms().size()))) {
            alarms.add(AlarmJson.of(a, infos.get(a.channel()), catalog.entryOrUnknown(a.code()), language));
        }
        o.add("alarms", alarms);
        if (r.alarms().size() > MAX_ALARMS) {
            o.addProperty("alarmsOmitted", r.alarms().size() - MAX_ALARMS);
        }
        JsonObject usage = new JsonObject();
        usage.add("period", UsageCounters.json(r.usagePeriod(), usageSettings));
        usage.add("total", UsageCounters.json(r.usageNow(), usageSettings));
        o.add("usage", usage);
        o.add("summary", summary(r.summary(), catalog, language));
        return o;
    }

    private static JsonObject summary(Report.Summary s, ErrorCatalog catalog, String language) {
        JsonObject o = new JsonObject();
        JsonArray drifted = new JsonArray();
        for (Report.Drift d : s.drifted()) {
            JsonObject x = new JsonObject();
            x.addProperty("channel", d.channel());
            number(x, "startMean", d.startMean());
            number(x, "endMean", d.endMean());
            number(x, "change", d.change());
            x.addProperty("unit", d.unit());
            drifted.add(x);
        }
        o.add("drifted", drifted);
        JsonArray codes = new JsonArray();
        for (Report.CodeCount c : s.alarmsByCode()) {
            JsonObject x = catalog.entryOrUnknown(c.code()).summary(language == null ? "en" : language);
            x.addProperty("alarms", c.alarms());
            x.addProperty("raises", c.raises());
            codes.add(x);
        }
        o.add("alarmsByCode", codes);
        JsonArray out = new JsonArray();
        for (Report.Series x : s.outOfRange()) {
            JsonObject j = new JsonObject();
            j.addProperty("channel", x.channel().id());
            j.addProperty("seconds", x.outOfRangeMillis() / 1000);
            j.addProperty("share", x.observedMillis() == 0 ? 0 : round((double) x.outOfRangeMillis() / x.observedMillis()));
            out.add(j);
        }
        o.add("outOfRange", out);
        o.addProperty("coveredSeconds", s.coveredMillis() / 1000);
        return o;
    }

    private static void number(JsonObject o, String name, double v) {
        if (Double.isFinite(v)) {
            o.addProperty(name, round(v));
        } else {
            o.add(name, JsonNull.INSTANCE);
        }
    }

    private static void add(JsonArray a, double v) {
        if (Double.isFinite(v)) {
            a.add(round(v));
        } else {
            a.add(JsonNull.INSTANCE);
        }
    }

    static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}
