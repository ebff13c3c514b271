package com.oviron.callidus.agent.console;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Text layouts for a terminal 80 columns wide: aligned "key : value" lines and tables. */
final class ConsoleFormat {
    static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    private ConsoleFormat() {
    }

    /** "key : value" lines with the colons aligned. */
    static List<String> keyValues(List<Map.Entry<String, String>> pairs) {
        int width = 0;
        for (Map.Entry<String, String> p : pairs) {
            width = Math.max(width, p.getKey().length());
        }
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, String> p : pairs) {
            lines.add(pad(p.getKey(), width) + " : " + p.getValue());
        }
        return lines;
    }

    /** Every member of {@code o} as a pair; nested objects as {@code parent.child}. */
    static List<Map.Entry<String, String>> flatten(JsonObject o, String prefix) {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        for (Map.Entry<String, JsonElement> m : o.entrySet()) {
            String key = prefix.isEmpty() ? m.getKey() : prefix + "." + m.getKey();
            if (m.getValue().isJsonObject()) {
                pairs.addAll(flatten(m.getValue().getAsJsonObject(), key));
            } else {
                pairs.add(Map.entry(key, text(m.getValue())));
            }
        }
        return pairs;
    }

    /** Columns padded to their widest cell; numbers right-aligned. */
    static List<String> table(List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
        }
        for (List<String> row : rows) {
            for (int i = 0; i < widths.length && i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        List<String> lines = new ArrayList<>();
        lines.add(row(headers, widths));
        for (List<String> row : rows) {
            lines.add(row(row, widths));
        }
        return lines;
    }

    private static String row(List<String> cells, int[] widths) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            String cell = i < cells.size() ? cells.get(i) : "";
            if (i > 0) {
                b.append("  ");
            }
            boolean number = !cell.isEmpty() && (Character.isDigit(cell.charAt(cell.length() - 1)))
                    && cell.chars().allMatch(ch -> Character.isDigit(ch) || ch == '.' || ch == '-' || ch == 'E');
            b.append(number ? " ".repeat(widths[i] - cell.length()) + cell
                    : i == widths.length - 1 ? cell : pad(cell, widths[i]));
        }
        return b.toString().stripTrailing();
    }

    /** A JSON value as a person reads it: strings without quotes, null as "-". */
    static String text(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return "-";
        }
        if (e.isJsonPrimitive()) {
            return e.getAsString();
        }
        return e.toString();
    }

    /** A member of {@code o} as text, "-" when absent. */
    static String text(JsonObject o, String name) {
        return o == null ? "-" : text(o.get(name));
    }

    /** A member that is an object, or an empty object. */
    static JsonObject object(JsonObject o, String name) {
        JsonElement e = o == null ? null : o.get(name);
        return e != null && e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
    }

    /** Epoch milliseconds as a UTC time to the minute, or the raw text if it is not a number. */
    static String time(JsonElement e) {
        String t = minutes(e);
        return t.equals(text(e)) ? t : t + " UTC";
    }

    /** Epoch milliseconds as a UTC time to the minute (without the zone), or the raw text. */
    static String minutes(JsonElement e) {
        try {
            return MINUTES.format(Instant.ofEpochMilli(e.getAsLong()));
        } catch (RuntimeException notANumber) {
            return text(e);
        }
    }

    static String pretty(JsonElement e) {
        return new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(e);
    }

    /**
     * Makes text safe for a terminal: control characters (which could move the cursor or change the terminal's
     * settings) become '?'.
     */
    static String clean(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || (c >= 0x7f && c < 0xa0) ? '?' : c);
        }
        return b.toString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
