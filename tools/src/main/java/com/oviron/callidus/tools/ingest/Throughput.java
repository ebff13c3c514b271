package com.oviron.callidus.tools.ingest;

import java.util.Locale;

/**
 * The ingest's progress lines: readings written per second over the last interval and since the first
 * reading arrived (the time before it, waiting for units, does not count).
 */
public final class Throughput {
    private long lastNanos;
    private long lastReadings;
    private long firstNanos = -1;
    private final long startNanos;

    public Throughput(long startNanos) {
        this.startNanos = startNanos;
        this.lastNanos = startNanos;
    }

    /** Readings per second since the first readings were written (0 before). */
    public double overall(IngestPipeline.Stats s, long nowNanos) {
        long from = firstNanos >= 0 ? firstNanos : startNanos;
        if (s.readingsWritten() == 0 || nowNanos <= from) {
            return 0;
        }
        return s.readingsWritten() / ((nowNanos - from) / 1e9);
    }

    public String line(IngestPipeline.Stats s, long nowNanos) {
        if (firstNanos < 0 && s.readingsWritten() > 0) {
            firstNanos = lastNanos;
        }
        double interval = (s.readingsWritten() - lastReadings) / Math.max(1e-9, (nowNanos - lastNanos) / 1e9);
        lastNanos = nowNanos;
        lastReadings = s.readingsWritten();
        return String.format(Locale.ROOT, "ingest t=%ds messages=%d readings=%d readings/s=%.0f (overall %.0f)"
                        + " duplicates=%d events=%d malformed=%d units=%d missing=%d openGaps=%d waiting=%d dbFailures=%d",
                (nowNanos - startNanos) / 1_000_000_000L, s.messages(), s.readingsWritten(), interval,
                overall(s, nowNanos), s.duplicateReadings(), s.eventsWritten(), s.malformed(), s.devices(), s.missing(),
                s.openGaps(), s.waiting(), s.writeFailures());
    }

    public String summary(IngestPipeline.Stats s, long nowNanos) {
        return String.format(Locale.ROOT, "ingest done: messages=%d readings=%d duplicatesDropped=%d events=%d"
                        + " malformed=%d units=%d throughput=%.0f readings/s (this instance's view: missing=%d openGaps=%d)",
                s.messages(), s.readingsWritten(), s.duplicateReadings(), s.eventsWritten(), s.malformed(), s.devices(),
                overall(s, nowNanos), s.missing(), s.openGaps());
    }
}
