package com.oviron.callidus.agent.startup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * How long this process has been running: from the process's start as the kernel records it (the launcher's
 * shell execs Java in the same process, so its work counts too) to now. The figure the "agent ready" line
 * reports and {@code tools benchmark startup} reads (docs/performance.md).
 *
 * <p>Linux: {@code /proc/uptime} minus the process's start time in {@code /proc/self/stat} (clock ticks since
 * boot), good to about 20 ms. {@link ProcessHandle.Info#startInstant()} is not used where /proc is there: it
 * adds the boot time, which the kernel gives in whole seconds.
 */
public final class StartTime {
    /** USER_HZ: the unit of /proc's clock ticks on every Linux architecture the agent runs on. */
    static final int TICKS_PER_SECOND = 100;

    private StartTime() {
    }

    /** Milliseconds since the process started, when the platform tells its start. */
    public static Optional<Long> millisSinceProcessStart() {
        try {
            return Optional.of(millisSince(Files.readString(Path.of("/proc/self/stat")),
                    Files.readString(Path.of("/proc/uptime"))));
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.current().info().startInstant()
                    .map(s -> Math.max(0, Instant.now().toEpochMilli() - s.toEpochMilli()));
        }
    }

    /**
     * CPU time the process used so far (user + system, all threads), from /proc/self/stat: on a busy machine
     * the wall-clock figure measures the neighbours too, this one the agent's own work.
     */
    public static Optional<Long> cpuMillis() {
        try {
            return Optional.of(cpuMillis(Files.readString(Path.of("/proc/self/stat"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static long cpuMillis(String stat) {
        String[] after = fieldsAfterName(stat);
        return (Long.parseLong(after[11]) + Long.parseLong(after[12])) * 1000 / TICKS_PER_SECOND; // fields 14, 15
    }

    private static String[] fieldsAfterName(String stat) {
        // the command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'
        return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
    }

    /** From the text of /proc/[pid]/stat and /proc/uptime. */
    static long millisSince(String stat, String uptime) {
        String[] after = fieldsAfterName(stat);
        long startTicks = Long.parseLong(after[19]); // field 22, starttime
        double upSeconds = Double.parseDouble(uptime.trim().split("\\s+")[0]);
        long upMillis = Math.round(upSeconds * 1000);
        return Math.max(0, upMillis - startTicks * 1000 / TICKS_PER_SECOND);
    }
}
