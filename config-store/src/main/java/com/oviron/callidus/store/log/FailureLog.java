package com.oviron.callidus.store.log;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.tinylog.Logger;

/**
 * Logs each distinct failure at most once per interval, so that a failure that repeats per sample or per
 * second (a full disk, a broken file) leaves a few lines in the log instead of a flood, and still says how
 * often it happened. A failure is named by the caller ({@code "append"}, {@code "persist"}); the first
 * occurrence is logged at once, repeats within the interval are counted, and the next line after the interval
 * carries {@code suppressed=<n>}: how many were not logged since the previous line. {@link #cleared} logs once
 * when a failure that was logged is over. Thread-safe.
 *
 * <p>Messages are tinylog messages with {@code {}} placeholders, as for {@link Logger}.
 */
public final class FailureLog {
    /** Default: one line per distinct failure per minute. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    /** Distinct failures remembered at most; the oldest is forgotten first. */
    static final int MAX_FAILURES = 256;

    /** How bad a line is. */
    public enum Level { INFO, WARN, ERROR }

    /** Where lines go: tinylog in the agent, a list in tests. */
    @FunctionalInterface
    public interface Sink {
        void write(Level level, String message, Object[] args);
    }

    /** The sink that writes through tinylog. */
    public static final Sink TINYLOG = (level, message, args) -> {
        switch (level) {
            case INFO -> Logger.info(message, args);
            case WARN -> Logger.warn(message, args);
            case ERROR -> Logger.error(message, args);
            default -> throw new IllegalArgumentException(String.valueOf(level));
        }
    };

    private static final class Seen {
        long lastLoggedNanos;
        long suppressed;
        long total;
    }

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final Sink sink;
    private final Map<String, Seen> failures = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
            return size() > MAX_FAILURES;
        }
    };

    /** One line per failure per {@link #DEFAULT_INTERVAL}, through tinylog. */
    public FailureLog() {
        this(DEFAULT_INTERVAL, System::nanoTime, TINYLOG);
    }

    public FailureLog(Duration interval, LongSupplier nanoTime, Sink sink) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must not be negative, got " + interval);
        }
        this.intervalNanos = interval.toNanos();
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** Logs at info, once per interval like a failure (for a recovery that can repeat, such as a retry). */
    public void info(String failure, String message, Object... args) {
        log(Level.INFO, failure, message, args);
    }

    /** Logs the failure as a warning, unless it was logged less than the interval ago (then it is counted). */
    public void warn(String failure, String message, Object... args) {
        log(Level.WARN, failure, message, args);
    }

    /** Logs the failure as an error, unless it was logged less than the interval ago (then it is counted). */
    public void error(String failure, String message, Object... args) {
        log(Level.ERROR, failure, message, args);
    }

    /**
     * The failure is over: if it had been logged, logs {@code message} once at info with {@code failures=<n>}
     * (how many times it happened since it began) and forgets it, together with its kinds
     * ({@code failure + "." + kind}, see {@link #kindOf}). Does nothing for a failure not seen.
     */
    public void cleared(String failure, String message, Object... args) {
        long total = 0;
        synchronized (this) {
            var it = failures.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<String, Seen> e = it.next();
                if (e.getKey().equals(failure) || e.getKey().startsWith(failure + ".")) {
                    total += e.getValue().total;
                    it.remove();
                }
            }
        }
        if (total > 0) {
            sink.write(Level.INFO, message + " failures={}", append(args, total));
        }
    }

    /**
     * What kind of failure an error is, so that different causes at one place are different failures: SQLite's
     * result code ({@code SQLITE_FULL}) when the message names one, else the class of the innermost cause.
     */
    public static String kindOf(Throwable error) {
        Throwable root = error;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            int at = m == null ? -1 : m.indexOf("[SQLITE_");
            if (at >= 0 && m.indexOf(']', at) > at) {
                return m.substring(at + 1, m.indexOf(']', at));
            }
            root = t;
        }
        return root.getClass().getSimpleName();
    }

    /** Whether the failure happened and has not been cleared. */
    public synchronized boolean failing(String failure) {
        return failures.containsKey(failure);
    }

    /** How many times the failure happened since it began (0 when not failing). */
    public synchronized long count(String failure) {
        Seen seen = failures.get(failure);
        return seen == null ? 0 : seen.total;
    }

    private void log(Level level, String failure, String message, Object[] args) {
        long suppressed;
        synchronized (this) {
            long now = nanoTime.getAsLong();
            Seen seen = failures.get(failure);
            if (seen == null) {
                seen = new Seen();
                seen.total = 1;
                seen.lastLoggedNanos = now;
                failures.put(failure, seen);
                suppressed = -1;
            } else {
                seen.total++;
                if (now - seen.lastLoggedNanos < intervalNanos) {
                    seen.suppressed++;
                    return;
                }
                suppressed = seen.suppressed;
                seen.suppressed = 0;
                seen.lastLoggedNanos = now;
            }
        }
        if (suppressed < 0) {
            sink.write(level, message, args);
        } else {
            sink.write(level, message + " suppressed={}", append(args, suppressed));
        }
    }

    private static Object[] append(Object[] args, Object last) {
        Object[] out = Arrays.copyOf(args, args.length + 1);
        out[args.length] = last;
        return out;
    }
}
