package com.oviron.callidus.agent.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinylog.Level;
import org.tinylog.core.LogEntry;
import org.tinylog.runtime.RuntimeProvider;

class LogFormatTest {
    @TempDir
    Path dir;

    @Test
    void each_line_carries_the_syslog_priority_journald_reads() {
        assertEquals("<3>ERROR boom\n<3>\tat X.y(X.java:1)\n",
                SwitchableConsoleWriter.withPriority("ERROR boom\n\tat X.y(X.java:1)\n", Level.ERROR));
        assertEquals("<4>w\n", SwitchableConsoleWriter.withPriority("w\n", Level.WARN));
        assertEquals("<6>i\n", SwitchableConsoleWriter.withPriority("i\n", Level.INFO));
        assertEquals("<7>d\n", SwitchableConsoleWriter.withPriority("d\n", Level.DEBUG));
        assertEquals("<7>t", SwitchableConsoleWriter.withPriority("t", Level.TRACE));
    }

    @Test
    void standard_error_lines_are_marked_as_errors_for_the_journal() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.PrintStream err = new java.io.PrintStream(new JournalPriorityStream(bytes, 3), true,
                java.nio.charset.StandardCharsets.UTF_8)) {
            err.println("error: config key 'device.id': is missing");
            err.print("Usage: java -jar callidus-agent.jar\n  --help\n");
        }
        assertEquals("<3>error: config key 'device.id': is missing\n<3>Usage: java -jar callidus-agent.jar\n<3>  --help\n",
                bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static LogEntry entry(Level level, String message) {
        return new LogEntry(RuntimeProvider.createTimestamp(), Thread.currentThread(), Map.of(), "C", "m", "C.java",
                1, null, level, message, null);
    }

    @Test
    void the_log_file_rolls_over_at_its_size_cap_and_keeps_only_its_backups() throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put("file", dir.resolve("agent.{count}.log").toString());
        p.put("latest", dir.resolve("agent.log").toString());
        p.put("policies", "size: 1kb");
        p.put("backups", "3"); // tinylog counts the current file too: Main passes log.fileBackups + 1
        p.put("format", "{message}");
        p.put("writingthread", "false");
        SwitchableRollingFileWriter writer = new SwitchableRollingFileWriter(p);
        String line = "x".repeat(100);
        for (int i = 0; i < 100; i++) {
            writer.write(entry(Level.INFO, i + " " + line));
        }
        writer.write(entry(Level.DEBUG, "below the level in force: not written"));
        writer.close();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> f.getFileName().toString().matches("agent\\.[0-9]+\\.log")).sorted().toList();
        }
        assertEquals(3, files.size(), "the current file and two rolled-over ones: " + files);
        for (Path f : files) {
            assertTrue(Files.size(f) <= 1024 + line.length() + 8, f + " is " + Files.size(f) + " bytes");
        }
        String newest = Files.readString(dir.resolve("agent.log"));
        assertTrue(newest.contains("99 xxx"), newest);
        assertTrue(!newest.contains("below the level"), newest);
    }
}
