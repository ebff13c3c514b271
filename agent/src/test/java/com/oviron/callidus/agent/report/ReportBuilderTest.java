package com.oviron.callidus.agent.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.oviron.callidus.agent.diagnostics.ChannelInfo;
import com.oviron.callidus.agent.diagnostics.DiagnosticsSettings;
import com.oviron.callidus.agent.diagnostics.ErrorCatalog;
import com.oviron.callidus.agent.usage.UsageCounters;
import com.oviron.callidus.agent.usage.UsageSettings;
import com.oviron.callidus.store.diagnostics.AggregateLevel;
import com.oviron.callidus.store.diagnostics.AggregateRow;
import com.oviron.callidus.store.diagnostics.AlarmRecord;
import com.oviron.callidus.store.diagnostics.DiagnosticsStore;
import com.oviron.callidus.store.fake.InMemoryDiagnosticsStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ReportBuilderTest {
    private static final List<ChannelInfo> CHANNELS = DiagnosticsSettings.channelsOf(Optional.empty());
    private static final long DAY = 86_400_000;
    private static final long NOW = Instant.parse("2026-11-21T12:00:00Z").toEpochMilli();
    private static final DiagnosticsStore.Retention KEEP = new DiagnosticsStore.Retention(7 * DAY, 90 * DAY, 365 * DAY);
    private final InMemoryDiagnosticsStore store = new InMemoryDiagnosticsStore();
    private final UsageSettings usage = new UsageSettings(Optional.empty(), Map.of(), Optional.empty(),
            Optional.empty(), false, Duration.ofSeconds(30));

    private ReportBuilder builder() {
        return new ReportBuilder(store, KEEP, "CAL-<1>", "1.0.0", "2026.12.1");
    }

    /** A minute of one channel with a given mean (count 600: 10 Hz). */
    private static AggregateRow minute(String channel, long start, double mean, long outOfRange) {
        return new AggregateRow(AggregateLevel.MINUTE, channel, start, 600, mean - 0.1, mean + 0.1, mean * 600, 60_000,
                outOfRange);
    }

    @Test
    void buckets_are_built_from_the_minutes_and_a_channel_that_moved_is_listed_as_drifted() throws Exception {
        long start = NOW - 2 * 3_600_000;
        List<AggregateRow> rows = new ArrayList<>();
        for (int m = 0; m < 120; m++) {
            rows.add(minute("supply_voltage", start + m * 60_000L, 24.0 + (m >= 90 ? 2.0 : 0), m >= 110 ? 30_000 : 0));
            rows.add(minute("water_pressure", start + m * 60_000L, 2.2, 0));
        }
        store.addMinutes(rows);
        Report r = builder().build(start, NOW, 10, CHANNELS, NOW);
        Report.Series supply = r.channels().get(0);
        assertEquals("supply_voltage", supply.channel().id());
        assertEquals(12, supply.buckets().size());
        assertEquals(6000, supply.buckets().get(0).count(), "ten minutes of 600 readings");
        assertEquals(24.0, supply.buckets().get(0).mean(), 1e-9);
        assertEquals(26.0, supply.buckets().get(11).mean(), 1e-9);
        assertEquals(300_000, supply.outOfRangeMillis(), "10 minutes of 30 s");
        assertEquals(List.of("supply_voltage"), r.summary().drifted().stream().map(Report.Drift::channel).toList(),
                "2 V of a 12 V range moved; water stayed");
        assertEquals(List.of("supply_voltage"), r.summary().outOfRange().stream().map(s -> s.channel().id()).toList());
        assertTrue(r.channels().get(1).buckets().isEmpty(), "motor1 has no data");
    }

    @Test
    void a_period_older_than_the_minutes_kept_is_built_from_hours_then_days() throws Exception {
        long old = NOW - 30 * DAY;                           // minutes are kept 7 days: hours must be used
        store.addMinutes(List.of(minute("supply_voltage", AggregateLevel.HOUR.bucketStart(old), 24.0, 0)));
        store.prune(NOW, KEEP);
        assertTrue(store.aggregates(AggregateLevel.MINUTE, 0, Long.MAX_VALUE).isEmpty());
        Report hourly = builder().build(old - 3_600_000, old + 3_600_000, 60, CHANNELS, NOW);
        assertEquals(1, hourly.channels().get(0).buckets().size());
        assertEquals(600, hourly.channels().get(0).count());
        Report tenMinutes = builder().build(old - 3_600_000, old + 3_600_000, 10, CHANNELS, NOW);
        assertEquals(600, tenMinutes.channels().get(0).count(), "a coarser row counts in the bucket of its start");
        long older = NOW - 200 * DAY;                        // hours are kept 90 days: days must be used
        store.addMinutes(List.of(minute("supply_voltage", AggregateLevel.DAY.bucketStart(older) + 3_600_000, 25.0, 0)));
        store.prune(NOW, KEEP);
        Report daily = builder().build(AggregateLevel.DAY.bucketStart(older), AggregateLevel.DAY.bucketStart(older) + DAY,
                60, CHANNELS, NOW);
        assertEquals(List.of(AggregateLevel.DAY.bucketStart(older)), daily.channels().get(0).buckets().stream()
                .map(Report.Bucket::start).toList());
    }

    @Test
    void the_json_has_every_section_and_the_page_an_svg_chart_per_channel_and_the_alarms() throws Exception {
        long start = NOW - 3_600_000;
        List<AggregateRow> rows = new ArrayList<>();
        for (ChannelInfo c : CHANNELS) {
            for (int m = 0; m < 60; m++) {
                rows.add(minute(c.id(), start + m * 60_000L, (c.validMin() + c.validMax()) / 2, 0));
            }
        }
        store.addMinutes(rows);
        store.insertAlarm(new AlarmRecord(0, "main_air_pressure.low", "A121", "main_air_pressure", false, false,
                start + 600_000, start + 900_000, OptionalLong.of(start + 1_200_000), 2, 1.9, 4, 1.7,
                OptionalLong.empty(), "", OptionalLong.empty()));
        store.addToCounters(Map.of(UsageCounters.TREATMENTS, 5L), start - DAY);
        store.addToCounters(Map.of(UsageCounters.TREATMENTS, 3L), start);
        Report r = builder().build(start, NOW, 5, CHANNELS, NOW);
        JsonObject json = ReportJson.of(r, ErrorCatalog.shipped(), usage, "bg");
        assertEquals(ReportJson.COLUMNS, json.get("columns").getAsString());
        JsonArray bucket = json.getAsJsonObject("channels").getAsJsonObject("supply_voltage").getAsJsonArray("buckets")
                .get(0).getAsJsonArray();
        assertEquals(6, bucket.size());
        assertEquals(3000, bucket.get(1).getAsLong());
        assertEquals("A121", json.getAsJsonArray("alarms").get(0).getAsJsonObject().get("code").getAsString());
        assertEquals("Твърде ниско налягане на основния въздух", json.getAsJsonArray("alarms").get(0).getAsJsonObject()
                .get("title").getAsString(), "in the language asked for");
        assertEquals(2, json.getAsJsonObject("summary").getAsJsonArray("alarmsByCode").get(0).getAsJsonObject()
                .get("raises").getAsLong());
        assertEquals(3, json.getAsJsonObject("usage").getAsJsonObject("period").getAsJsonObject("treatments")
                .get("count").getAsLong(), "grown during the period's days");
        assertEquals(8, json.getAsJsonObject("usage").getAsJsonObject("total").getAsJsonObject("treatments")
                .get("count").getAsLong());

        String html = ReportPage.of(r, ErrorCatalog.shipped(), usage, "en");
        Matcher charts = Pattern.compile("<svg [^>]*class=\"chart\" data-channel=\"([a-z0-9_]+)\"").matcher(html);
        List<String> charted = new ArrayList<>();
        while (charts.find()) {
            charted.add(charts.group(1));
        }
        assertEquals(CHANNELS.stream().map(ChannelInfo::id).toList(), charted);
        assertTrue(html.contains("class=\"timeline\""));
        assertTrue(html.contains("CAL-&lt;1&gt;") && !html.contains("CAL-<1>"), "text is escaped");
        assertFalse(html.toLowerCase().contains("<script"), "no scripts");
        assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(html).find(), "nothing from elsewhere");
        assertTrue(html.contains(SvgCharts.MEAN_COLOUR));
        assertTrue(ReportPage.of(r, ErrorCatalog.shipped(), usage, "bg").contains("Сервизен отчет CALLIDUS"));
    }

    @Test
    void the_minutes_still_running_are_in_the_report_before_they_are_stored() throws Exception {
        long minute = AggregateLevel.MINUTE.bucketStart(NOW);
        Report r = builder().build(NOW - 600_000, NOW + 60_000, 60, CHANNELS, NOW,
                List.of(minute("supply_voltage", minute, 24.5, 0), minute("supply_voltage", minute - 3_600_000, 1, 0)));
        assertEquals(600, r.channels().get(0).count(), "the running minute counts, one outside the period does not");
        assertEquals(24.5, r.channels().get(0).mean(), 1e-9);
    }

    @Test
    void the_automatic_bucket_keeps_a_report_within_its_size() {
        assertEquals(1, ReportBuilder.autoBucketMinutes(NOW - 3_600_000, NOW, 150));
        assertEquals(15, ReportBuilder.autoBucketMinutes(NOW - DAY, NOW, 150));
        assertEquals(360, ReportBuilder.autoBucketMinutes(NOW - 30 * DAY, NOW, 150));
        assertTrue(ReportBuilder.buckets(NOW - 400 * DAY, NOW, ReportBuilder.autoBucketMinutes(NOW - 400 * DAY, NOW, 150))
                <= 150);
    }
}
