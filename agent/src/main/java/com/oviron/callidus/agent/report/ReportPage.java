package com.oviron.callidus.agent.report;

import com.oviron.callidus.agent.diagnostics.ErrorCatalog;
import com.oviron.callidus.agent.usage.UsageCounters;
import com.oviron.callidus.agent.usage.UsageSettings;
import com.oviron.callidus.store.diagnostics.AlarmRecord;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link Report} as one self-contained HTML page for people (a clinic manager, a technician with a USB
 * stick): inline CSS and SVG only, no scripts, no fonts or images from elsewhere, so it looks the same offline
 * in any browser. English or Bulgarian.
 */
public final class ReportPage {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneOffset.UTC);
    private static final Map<String, String[]> LABELS = Map.ofEntries(
            Map.entry("title", new String[] {"CALLIDUS service report", "Сервизен отчет CALLIDUS"}),
            Map.entry("unit", new String[] {"Unit", "Юнит"}),
            Map.entry("period", new String[] {"Period (UTC)", "Период (UTC)"}),
            Map.entry("generated", new String[] {"Made", "Създаден"}),
            Map.entry("agent", new String[] {"Agent / catalog", "Агент / каталог"}),
            Map.entry("summary", new String[] {"Technical summary", "Техническо обобщение"}),
            Map.entry("coverage", new String[] {"Time with data", "Време с данни"}),
            Map.entry("drifted", new String[] {"Channels that drifted", "Канали с отклонение"}),
            Map.entry("none", new String[] {"none", "няма"}),
            Map.entry("alarmsByCode", new String[] {"Alarms by code", "Аларми по код"}),
            Map.entry("outOfRange", new String[] {"Time out of range", "Време извън обхвата"}),
            Map.entry("usage", new String[] {"Usage counters", "Броячи на използването"}),
            Map.entry("counter", new String[] {"Counter", "Брояч"}),
            Map.entry("inPeriod", new String[] {"In the period", "За периода"}),
            Map.entry("total", new String[] {"Total", "Общо"}),
            Map.entry("alarms", new String[] {"Alarms", "Аларми"}),
            Map.entry("code", new String[] {"Code", "Код"}),
            Map.entry("what", new String[] {"What", "Какво"}),
            Map.entry("from", new String[] {"First", "Първо"}),
            Map.entry("to", new String[] {"Cleared", "Изчистена"}),
            Map.entry("count", new String[] {"Times", "Пъти"}),
            Map.entry("remedy", new String[] {"Remedy", "Препоръка"}),
            Map.entry("active", new String[] {"still active", "все още активна"}),
            Map.entry("channels", new String[] {"Channels", "Канали"}),
            Map.entry("stats", new String[] {"min / mean / max", "мин / средно / макс"}),
            Map.entry("valid", new String[] {"valid range", "валиден обхват"}),
            Map.entry("noData", new String[] {"no data in this period", "няма данни за периода"}),
            Map.entry("hours", new String[] {"h", "ч"}),
            Map.entry("legend", new String[] {"Line: mean per bucket; band: minimum to maximum; dashed: the sensor's"
                    + " valid range; red marks: time out of range.", "Линия: средна стойност; ивица: от минимум до"
                    + " максимум; пунктир: валидният обхват на сензора; червени знаци: време извън обхвата."}),
            Map.entry("operating", new String[] {"Operating time", "Време на работа"}),
            Map.entry("chairMovements", new String[] {"Chair movements", "Движения на стола"}),
            Map.entry("disinfections", new String[] {"Water-line disinfections", "Дезинфекции на водната линия"}),
            Map.entry("treatments", new String[] {"Treatments", "Лечения"}));

    private ReportPage() {
    }

    public static String of(Report r, ErrorCatalog catalog, UsageSettings usage, String language) {
        int lang = "bg".equals(language) ? 1 : 0;
        String l = lang == 1 ? "bg" : "en";
        long bucketMillis = r.bucketMinutes() * 60_000;
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"").append(l).append("\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(escape(label("title", lang) + " " + r.device())).append("</title>")
                .append("<style>")
                .append("body{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px;color:#212121;background:#fff}")
                .append("h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:24px 0 8px;border-bottom:2px solid")
                .append(" #90a4ae;padding-bottom:3px}h3{font-size:14px;margin:14px 0 2px}")
                .append("table{border-collapse:collapse;margin:4px 0}td,th{border:1px solid #bdbdbd;padding:3px 8px;")
                .append("font-size:13px;text-align:left;vertical-align:top}th{background:#e3f2fd}")
                .append(".meta td{border:none;padding:1px 12px 1px 0}.small{font-size:12px;color:#616161}")
                .append(".bad{color:#c62828;font-weight:bold}svg{display:block;margin:2px 0 10px}")
                .append("</style></head><body>\n");
        h.append("<h1>").append(escape(label("title", lang))).append("</h1>\n<table class=\"meta\">");
        row(h, label("unit", lang), r.device());
        row(h, label("period", lang), time(r.fromMillis()) + " \u2013 " + time(r.toMillis()));
        row(h, label("generated", lang), time(r.generatedAt()) + " UTC");
        row(h, label("agent", lang), r.agentVersion() + " / " + r.catalogVersion());
        h.append("</table>\n");

        h.append("<h2>").append(escape(label("summary", lang))).append("</h2>\n<table>");
        row(h, label("coverage", lang), hours(r.summary().coveredMillis(), lang));
        StringBuilder drifted = new StringBuilder();
        for (Report.Drift d : r.summary().drifted()) {
            drifted.append(drifted.length() == 0 ? "" : "; ").append(d.channel()).append(' ')
                    .append(SvgCharts.label(d.startMean())).append(" \u2192 ").append(SvgCharts.label(d.endMean()))
                    .append(' ').append(d.unit());
        }
        row(h, label("drifted", lang), drifted.length() == 0 ? label("none", lang) : drifted.toString());
        StringBuilder codes = new StringBuilder();
        for (Report.CodeCount c : r.summary().alarmsByCode()) {
            codes.append(codes.length() == 0 ? "" : "; ").append(c.code()).append(' ')
                    .append(catalog.entryOrUnknown(c.code()).text(l).title()).append(" \u00d7").append(c.raises());
        }
        row(h, label("alarmsByCode", lang), codes.length() == 0 ? label("none", lang) : codes.toString());
        StringBuilder out = new StringBuilder();
        for (Report.Series s : r.summary().outOfRange()) {
            out.append(out.length() == 0 ? "" : "; ").append(s.channel().id()).append(' ')
                    .append(seconds(s.outOfRangeMillis()));
        }
        row(h, label("outOfRange", lang), out.length() == 0 ? label("none", lang) : out.toString());
        h.append("</table>\n");

        h.append("<h2>").append(escape(label("usage", lang))).append("</h2>\n<table><tr><th>")
                .append(escape(label("counter", lang))).append("</th><th>").append(escape(label("inPeriod", lang)))
                .append("</th><th>").append(escape(label("total", lang))).append("</th></tr>");
        usageRow(h, label("operating", lang), UsageCounters.OPERATING, true, r, lang);
        usage.instruments().keySet().forEach(name -> usageRow(h, name, UsageCounters.INSTRUMENT_PREFIX + name, true, r,
                lang));
        usageRow(h, label("chairMovements", lang), UsageCounters.CHAIR, false, r, lang);
        usageRow(h, label("disinfections", lang), UsageCounters.DISINFECTIONS, false, r, lang);
        usageRow(h, label("treatments", lang), UsageCounters.TREATMENTS, false, r, lang);
        h.append("</table>\n");

        h.append("<h2>").append(escape(label("alarms", lang))).append(" (").append(r.alarms().size()).append(")</h2>\n");
        if (r.alarms().isEmpty()) {
            h.append("<p>").append(escape(label("none", lang))).append("</p>\n");
        } else {
            h.append(SvgCharts.timeline(r.alarms(), r.fromMillis(), r.toMillis())).append('\n');
            h.append("<table><tr>");
            for (String k : List.of("code", "what", "from", "to", "count", "remedy")) {
                h.append("<th>").append(escape(label(k, lang))).append("</th>");
            }
            h.append("</tr>");
            for (AlarmRecord a : r.alarms()) {
                ErrorCatalog.Text t = catalog.entryOrUnknown(a.code()).text(l);
                h.append("<tr><td>").append(escape(a.code())).append("</td><td>").append(escape(t.title()))
                        .append(a.channel().isEmpty() ? "" : " <span class=\"small\">(" + escape(a.channel()) + ")</span>")
                        .append("</td><td>").append(escape(time(a.firstAt()))).append("</td><td>")
                        .append(a.active() ? "<span class=\"bad\">" + escape(label("active", lang)) + "</span>"
                                : escape(a.clearedAt().isPresent() ? time(a.clearedAt().getAsLong()) : ""))
                        .append("</td><td>").append(a.count()).append("</td><td class=\"small\">")
                        .append(escape(t.remedy())).append("</td></tr>");
            }
            h.append("</table>\n");
        }

        h.append("<h2>").append(escape(label("channels", lang))).append("</h2>\n<p class=\"small\">")
                .append(escape(label("legend", lang))).append("</p>\n");
        for (Report.Series s : r.channels()) {
            h.append("<h3>").append(escape(s.channel().name())).append(" <span class=\"small\">(")
                    .append(escape(s.channel().id())).append(", ").append(escape(s.channel().unit())).append(")</span></h3>")
                    .append("<div class=\"small\">");
            if (s.count() == 0) {
                h.append(escape(label("noData", lang)));
            } else {
                h.append(escape(label("stats", lang))).append(": ").append(SvgCharts.label(s.min())).append(" / ")
                        .append(SvgCharts.label(s.mean())).append(" / ").append(SvgCharts.label(s.max())).append(' ')
                        .append(escape(s.channel().unit())).append("; ").append(escape(label("valid", lang))).append(' ')
                        .append(SvgCharts.label(s.channel().validMin())).append(" \u2026 ")
                        .append(SvgCharts.label(s.channel().validMax()));
                if (s.outOfRangeMillis() > 0) {
                    h.append("; <span class=\"bad\">").append(escape(label("outOfRange", lang))).append(' ')
                            .append(seconds(s.outOfRangeMillis())).append("</span>");
                }
            }
            h.append("</div>\n").append(SvgCharts.channel(s, r.fromMillis(), r.toMillis(), bucketMillis)).append('\n');
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void usageRow(StringBuilder h, String name, String counter, boolean time, Report r, int lang) {
        long period = r.usagePeriod().getOrDefault(counter, 0L);
        long total = r.usageNow().getOrDefault(counter, 0L);
        h.append("<tr><td>").append(escape(name)).append("</td><td>")
                .append(escape(time ? hours(period, lang) : Long.toString(period))).append("</td><td>")
                .append(escape(time ? hours(total, lang) : Long.toString(total))).append("</td></tr>");
    }

    private static void row(StringBuilder h, String key, String value) {
        h.append("<tr><td><b>").append(escape(key)).append("</b></td><td>").append(escape(value)).append("</td></tr>");
    }

    private static String label(String key, int lang) {
        return LABELS.get(key)[lang];
    }

    private static String time(long millis) {
        return TIME.format(Instant.ofEpochMilli(millis));
    }

    private static String hours(long millis, int lang) {
        return String.format(Locale.ROOT, "%.2f %s", millis / 3_600_000.0, label("hours", lang));
    }

    private static String seconds(long millis) {
        long s = millis / 1000;
        return s >= 3600 ? String.format(Locale.ROOT, "%d h %02d min", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60) : s + " s";
    }

    /** HTML text and attribute escaping. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c < 0x20 && c != '\n' && c != '\t' ? ' ' : c);
            }
        }
        return b.toString();
    }
}
