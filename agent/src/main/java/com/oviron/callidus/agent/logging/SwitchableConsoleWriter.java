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
 *
 * <p>With the property {@code journal = true} (the agent runs under systemd, whose journal reads standard
 * output) every line starts with its syslog priority, {@code <3>} error, {@code <4>} warn, {@code <6>} info,
 * {@code <7>} debug (sd-daemon(3)), also each line of a stack trace, so that {@code journalctl -p warning}
 * finds them. The lines kept for support bundles have no prefix.
 */
public final class SwitchableConsoleWriter extends AbstractFormatPatternWriter {
    /** How many of the newest log lines a support bundle gets. */
    public static final int RECENT_LINES = 2_000;
    /** The levels the writer can be set to, lowest first. */
    public static final List<String> LEVELS = List.of("debug", "info", "warn", "error");

    private static volatile Level level = Level.INFO;
    private static final Deque<String> recent = new ArrayDeque<>();

    private final PrintStream out = System.out;
    private final boolean journal;

    public SwitchableConsoleWriter(Map<String, String> properties) {
        super(properties);
        this.journal = Boolean.parseBoolean(properties.getOrDefault("journal", "false"));
    }

    /** The syslog priority journald reads from a line's {@code <n>} prefix. */
    static int priority(Level level) {
        return switch (level) {
            case ERROR -> 3;
            case WARN -> 4;
            case INFO -> 6;
            default -> 7;
        };
    }

    /** Puts {@code <priority>} before every line of {@code text}. */
    static String withPriority(String text, Level level) {
        String prefix = "<" + priority(level) + ">";
        StringBuilder b = new StringBuilder(text.length() + 8);
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            int next = end < 0 ? text.length() : end + 1;
            b.append(prefix).append(text, start, next);
            start = next;
        }
        return b.toString();
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
        out.print(journal ? withPriority(line, logEntry.getLevel()) : line);
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
