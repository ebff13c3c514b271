package com.oviron.callidus.agent.diagnostics;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.tinylog.Logger;

/**
 * Logs a distinct failure once per interval, not in a flood: the first time, then again (with how often it
 * happened meanwhile) once the interval has passed. Thread-safe.
 */
public final class RateLimitedLog {
    private final Clock clock;
    private final Duration interval;
    private final Map<String, long[]> seen = new HashMap<>(); // message → {last logged ms, suppressed}

    public RateLimitedLog(Clock clock, Duration interval) {
        this.clock = clock;
        this.interval = interval;
    }

    /** Logs {@code message} (a fixed text) with its {@code key=value} details, at most once per interval. */
    public synchronized void warn(String message, String details) {
        long now = clock.millis();
        long[] s = seen.get(message);
        if (s == null || now - s[0] >= interval.toMillis()) {
            long suppressed = s == null ? 0 : s[1];
            Logger.warn("{} {}{}", message, details, suppressed > 0 ? " alsoSince=" + suppressed : "");
            seen.put(message, new long[] {now, 0});
        } else {
            s[1]++;
        }
    }
}
