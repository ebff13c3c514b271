package com.oviron.callidus.tools.ingest;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What this ingest instance has written of each unit's stream, by sequence number: the readings up to a
 * contiguous high-water mark, and ranges above it. Used to drop a copy without asking the database, and to
 * tell the gaps this instance sees (docs/protocol.md: "drop duplicates by (device, s)", "detect gaps").
 * Only what this instance wrote counts as written: a reading below the first one it saw of a unit is new to it
 * (the database decides). With several instances
 * sharing the load each sees only part of every stream: then only the database ({@link ReadingStore#gaps()})
 * knows the gaps. Only the ingest's writer thread uses it.
 */
final class StreamTracker {
    /** Per unit: the ranges written, first seq to last seq, never touching or overlapping. */
    private final Map<String, TreeMap<Long, Long>> streams = new HashMap<>();

    /** Whether {@code seq} of {@code device} was written already (by this instance). */
    boolean written(String device, long seq) {
        TreeMap<Long, Long> ranges = streams.get(device);
        if (ranges == null) {
            return false;
        }
        Map.Entry<Long, Long> range = ranges.floorEntry(seq);
        return range != null && seq <= range.getValue();
    }

    /** Records readings {@code first..last} of {@code device} as written. */
    void markWritten(String device, long first, long last) {
        TreeMap<Long, Long> ranges = streams.computeIfAbsent(device, d -> new TreeMap<>());
        long from = first;
        long to = last;
        Map.Entry<Long, Long> before = ranges.floorEntry(from);
        if (before != null && before.getValue() >= from - 1) {
            from = before.getKey();
            to = Math.max(to, before.getValue());
            ranges.remove(before.getKey());
        }
        Map.Entry<Long, Long> next = ranges.ceilingEntry(from);
        while (next != null && next.getKey() <= to + 1) {
            to = Math.max(to, next.getValue());
            ranges.remove(next.getKey());
            next = ranges.ceilingEntry(from);
        }
        ranges.put(from, to);
    }

    /** Units seen. */
    int devices() {
        return streams.size();
    }

    /** Readings missing between the ranges written, over all units. */
    long missing() {
        long n = 0;
        for (TreeMap<Long, Long> ranges : streams.values()) {
            Long expect = null;
            for (Map.Entry<Long, Long> r : ranges.entrySet()) {
                if (expect != null) {
                    n += r.getKey() - expect;
                }
                expect = r.getValue() + 1;
            }
        }
        return n;
    }

    /** Open gaps (ranges not yet seen between seen ones), over all units. */
    long openGaps() {
        long n = 0;
        for (TreeMap<Long, Long> ranges : streams.values()) {
            n += Math.max(0, ranges.size() - 1);
        }
        return n;
    }
}
