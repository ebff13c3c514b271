package com.oviron.callidus.cloud.files;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * A list of chunk indexes as it travels in JSON: an array whose items are single indexes {@code 7} or
 * inclusive ranges {@code [2,5]}, ascending, e.g. {@code [0,[2,5],9]}.
 */
public final class ChunkList {
    /** The most items (indexes or ranges) a list may have. */
    public static final int MAX_ITEMS = 1024;

    private ChunkList() {
    }

    /** Compacts indexes into items: consecutive runs become ranges. */
    public static JsonArray toJson(Collection<Integer> chunks) {
        JsonArray out = new JsonArray();
        Integer start = null;
        int prev = -2;
        for (int c : new TreeSet<>(chunks)) {
            if (start != null && c == prev + 1) {
                prev = c;
                continue;
            }
            add(out, start, prev);
            start = c;
            prev = c;
        }
        add(out, start, prev);
        return out;
    }

    private static void add(JsonArray out, Integer start, int end) {
        if (start == null) {
            return;
        }
        if (start == end) {
            out.add(start);
        } else {
            JsonArray range = new JsonArray();
            range.add(start);
            range.add(end);
            out.add(range);
        }
    }

    /**
     * Reads a list; every index must be below {@code chunkCount}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static List<Integer> parse(JsonElement json, int chunkCount) {
        if (json == null || !json.isJsonArray()) {
            throw new IllegalArgumentException("must be an array of chunk indexes and [first,last] ranges");
        }
        JsonArray items = json.getAsJsonArray();
        if (items.size() > MAX_ITEMS) {
            throw new IllegalArgumentException("at most " + MAX_ITEMS + " items");
        }
        TreeSet<Integer> out = new TreeSet<>();
        for (JsonElement item : items) {
            if (item.isJsonArray()) {
                JsonArray r = item.getAsJsonArray();
                if (r.size() != 2) {
                    throw new IllegalArgumentException("a range must be [first,last]");
                }
                int first = index(r.get(0), chunkCount);
                int last = index(r.get(1), chunkCount);
                if (last < first) {
                    throw new IllegalArgumentException("range [" + first + "," + last + "] is backwards");
                }
                for (int i = first; i <= last; i++) {
                    out.add(i);
                }
            } else {
                out.add(index(item, chunkCount));
            }
        }
        return new ArrayList<>(out);
    }

    private static int index(JsonElement e, int chunkCount) {
        if (!(e instanceof JsonPrimitive p) || !p.isNumber()) {
            throw new IllegalArgumentException("chunk indexes must be integers");
        }
        long v;
        try {
            v = p.getAsBigDecimal().longValueExact();
        } catch (ArithmeticException | NumberFormatException ex) {
            throw new IllegalArgumentException("chunk indexes must be integers");
        }
        if (v < 0 || v >= chunkCount) {
            throw new IllegalArgumentException("chunk index " + v + " outside 0.." + (chunkCount - 1));
        }
        return (int) v;
    }
}
