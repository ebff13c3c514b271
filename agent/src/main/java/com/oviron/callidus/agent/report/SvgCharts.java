package com.oviron.callidus.agent.report;

import com.oviron.callidus.store.diagnostics.AlarmRecord;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The inline SVG of a report page: one chart per channel (the mean as a line, the minimum to maximum as a band,
 * the valid range as dashed lines) and the alarm timeline. Plain SVG 1.1, no scripts, no external references.
 */
final class SvgCharts {
    /** The colour of a channel's mean line (a test looks for it in the screenshot). */
    static final String MEAN_COLOUR = "#1565c0";
    static final String BAND_COLOUR = "#bbdefb";
    static final String LIMIT_COLOUR = "#c62828";
    static final String ACTIVE_COLOUR = "#c62828";
    static final String CLEARED_COLOUR = "#ef6c00";
    static final int WIDTH = 960;
    static final int CHART_HEIGHT = 190;
    private static final int LEFT = 64;
    private static final int RIGHT = 12;
    private static final int TOP = 10;
    private static final int BOTTOM = 26;
    private static final int ROW = 22;
    private static final int MAX_ROWS = 40;

    private SvgCharts() {
    }

    /** One channel over the period. */
    static String channel(Report.Series s, long from, long to, long bucketMillis) {
        double lo = s.channel().validMin();
        double hi = s.channel().validMax();
        if (s.count() > 0) {
            lo = Math.min(lo, s.min());
            hi = Math.max(hi, s.max());
        }
        if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
            lo = s.count() > 0 ? s.min() : 0;
            hi = s.count() > 0 ? s.max() : 1;
        }
        if (hi - lo < 1e-9) {
            hi = lo + 1;
        }
        double pad = (hi - lo) * 0.05;
        Scale y = new Scale(lo - pad, hi + pad, TOP + plotHeight(), TOP);
        Scale x = new Scale(from, to, LEFT, WIDTH - RIGHT);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" "
                        + "data-channel=\"%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">",
                ReportPage.escape(s.channel().id()), WIDTH, CHART_HEIGHT, WIDTH, CHART_HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#ffffff\" "
                + "stroke=\"#9e9e9e\"/>", LEFT, TOP, WIDTH - LEFT - RIGHT, plotHeight()));
        for (int i = 0; i <= 4; i++) {
            double v = y.min + (y.max - y.min) * i / 4;
            double py = y.at(v);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eeeeee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\" fill=\"#424242\">%s</text>",
                    LEFT, WIDTH - RIGHT, py, py, LEFT - 4, py + 4, ReportPage.escape(label(v))));
        }
        timeAxis(svg, x, from, to, TOP + plotHeight());
        for (double limit : new double[] {s.channel().validMin(), s.channel().validMax()}) {
            if (Double.isFinite(limit)) {
                svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                        + "stroke-dasharray=\"6 4\" stroke-width=\"1\"/>", LEFT, WIDTH - RIGHT, y.at(limit), y.at(limit),
                        LIMIT_COLOUR));
            }
        }
        List<Report.Bucket> b = s.buckets().stream().filter(k -> k.count() > 0).toList();
        // min..max band and mean line, broken where buckets have no data
        int i = 0;
        while (i < b.size()) {
            int j = i;
            while (j + 1 < b.size() && b.get(j + 1).start() - b.get(j).start() <= bucketMillis) {
                j++;
            }
            StringBuilder band = new StringBuilder();
            StringBuilder line = new StringBuilder();
            for (int k = i; k <= j; k++) {
                double px = x.at(Math.max(from, b.get(k).start()) + bucketMillis / 2.0);
                band.append(k == i ? "M" : "L").append(fmt(px)).append(' ').append(fmt(y.at(b.get(k).max()))).append(' ');
                line.append(k == i ? "M" : "L").append(fmt(px)).append(' ').append(fmt(y.at(b.get(k).mean()))).append(' ');
            }
            for (int k = j; k >= i; k--) {
                double px = x.at(Math.max(from, b.get(k).start()) + bucketMillis / 2.0);
                band.append('L').append(fmt(px)).append(' ').append(fmt(y.at(b.get(k).min()))).append(' ');
            }
            if (j > i) {
                svg.append("<path d=\"").append(band).append("Z\" fill=\"").append(BAND_COLOUR)
                        .append("\" stroke=\"none\"/>");
                svg.append("<path d=\"").append(line).append("\" fill=\"none\" stroke=\"").append(MEAN_COLOUR)
                        .append("\" stroke-width=\"2\" stroke-linejoin=\"round\"/>");
            } else {
                double px = x.at(Math.max(from, b.get(i).start()) + bucketMillis / 2.0);
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", px,
                        y.at(b.get(i).mean()), MEAN_COLOUR));
            }
            i = j + 1;
        }
        for (Report.Bucket k : b) {
            if (k.outOfRangeMillis() > 0) {
                double px = x.at(Math.max(from, k.start()) + bucketMillis / 2.0);
                svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"3\" height=\"5\" fill=\"%s\"/>",
                        px - 1.5, TOP + plotHeight() - 5, LIMIT_COLOUR));
            }
        }
        if (b.isEmpty()) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"middle\" "
                    + "fill=\"#757575\">-</text>", WIDTH / 2, TOP + plotHeight() / 2));
        }
        return svg.append("</svg>").toString();
    }

    /** The alarms on a timeline, one row each (at most {@value #MAX_ROWS}). */
    static String timeline(List<AlarmRecord> alarms, long from, long to) {
        int rows = Math.max(1, Math.min(alarms.size(), MAX_ROWS));
        int height = TOP + rows * ROW + BOTTOM;
        Scale x = new Scale(from, to, LEFT, WIDTH - RIGHT);
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                + "class=\"timeline\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">", WIDTH, height,
                WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" "
                + "stroke=\"#9e9e9e\"/>", LEFT, TOP, WIDTH - LEFT - RIGHT, rows * ROW));
        timeAxis(svg, x, from, to, TOP + rows * ROW);
        for (int i = 0; i < Math.min(alarms.size(), MAX_ROWS); i++) {
            AlarmRecord a = alarms.get(i);
            long start = Math.max(from, a.firstAt());
            long end = a.active() || a.clearedAt().isEmpty() ? to : Math.min(to, a.clearedAt().getAsLong());
            double x1 = x.at(start);
            double x2 = Math.max(x1 + 3, x.at(end));
            int yRow = TOP + i * ROW;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"2\" "
                    + "fill=\"%s\"><title>%s</title></rect>", x1, yRow + 4, x2 - x1, ROW - 8,
                    a.active() ? ACTIVE_COLOUR : CLEARED_COLOUR, ReportPage.escape(a.code() + " " + a.rule())));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" "
                    + "fill=\"#212121\">%s</text>", LEFT - 4, yRow + ROW - 7, ReportPage.escape(a.code())));
        }
        return svg.append("</svg>").toString();
    }

    private static void timeAxis(StringBuilder svg, Scale x, long from, long to, int yAxis) {
        DateTimeFormatter f = DateTimeFormatter.ofPattern(to - from > 3L * 86_400_000 ? "MM-dd" : "MM-dd HH:mm")
                .withZone(ZoneOffset.UTC);
        for (int i = 0; i <= 6; i++) {
            long t = from + (to - from) * i / 6;
            double px = x.at(t);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#9e9e9e\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"%s\" fill=\"#424242\">%s</text>",
                    px, px, yAxis, yAxis + 4, px, yAxis + 16, i == 0 ? "start" : i == 6 ? "end" : "middle",
                    f.format(Instant.ofEpochMilli(t))));
        }
    }

    private static int plotHeight() {
        return CHART_HEIGHT - TOP - BOTTOM;
    }

    static String label(double v) {
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f", v);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** A linear map from values to pixels. */
    private record Scale(double min, double max, double from, double to) {
        double at(double v) {
            return from + (v - min) / (max - min) * (to - from);
        }
    }
}
