package com.oviron.callidus.agent.logging;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tinylog.Level;
import org.tinylog.core.LogEntry;
import org.tinylog.writers.AbstractFormatPatternWriter;

/**
 * The agent's log writer (tinylog {@code writer = switchable console}): writes to standard output like
 * tinylog's console writer, but its level can be changed while the agent runs (command
 * {@code log.set-level}; tinylog's own configuration is frozen after the first log line), and it keeps the
 * last {@value #RECENT_LINES} lines in memory for support bundles.
 *
 * <p>tinylog itself is configured at {@code debug}, the lowest level this writer can be switched to, so that
 * debug lines exist to be let through; at the default {@code info} they are dropped here.
 */
public final class SwitchableConsoleWriter extends AbstractFormatPatternWriter {
    /** How many of the newest log lines a support bundle gets. */
    public static final int RECENT_LINES = 2_000;
    /** The levels the writer can be set to, lowest first. */
    public static final List<String> LEVELS = List.of("debug", "info", "warn", "error");

    private static volatile Level level = Level.INFO;
    private static final Deque<String> recent = new ArrayDeque<>();

    private final PrintStream out = System.out;

    public SwitchableConsoleWriter(Map<String, String> properties) {
        super(properties);
    }

    /** Sets the level from now on; one of {@link #LEVELS}. */
    public static void setLevel(String name) {
        if (!LEVELS.contains(name)) {
            throw new IllegalArgumentException("log level must be one of " + LEVELS + ", got " + name);
        }
        level = Level.valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** The level in force now, lower case. */
    public static String level() {
        return level.name().toLowerCase(Locale.ROOT);
    }

    /** The newest log lines, oldest first. */
    public static List<String> recentLines() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }

    /** Whether a line at {@code entryLevel} passes the level in force. */
    static boolean passes(Level entryLevel) {
        return entryLevel.ordinal() >= level.ordinal();
    }

    @Override
    public void write(LogEntry logEntry) {
        if (!passes(logEntry.getLevel())) {
            return;
        }
        String line = render(logEntry);
        out.print(line);
        synchronized (recent) {
            if (recent.size() == RECENT_LINES) {
                recent.removeFirst();
            }
            recent.addLast(line.stripTrailing());
        }
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        out.flush();
    }
}
