package com.oviron.callidus.tools.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartupAndSteadyOptionsTest {
    static final Path UNIT = Path.of("..", "agent", "src", "main", "dist", "callidus-agent.service");

    @Test
    void the_unit_files_environment_is_read_as_systemd_passes_it() throws Exception {
        Map<String, String> env = PackagedAgent.unitEnvironment(UNIT);
        assertEquals("2", env.get("MALLOC_ARENA_MAX"));
        assertEquals("/var/lib/callidus/cds", env.get("CALLIDUS_CLASS_ARCHIVE_DIR"));
        assertTrue(env.get("CALLIDUS_JAVA_OPTS").contains("-XX:+UseSerialGC"), env.toString());
        assertTrue(!env.get("CALLIDUS_JAVA_OPTS").startsWith("\""), env.toString());
    }

    @Test
    void the_steady_benchmark_keeps_the_units_flags_but_runs_them_with_the_heap_the_goal_names() {
        assertEquals("-Xmx24m -Xms8m -XX:+UseSerialGC -Xss512k",
                SteadyBenchmark.withHeap("-Xms8m -Xmx32m -XX:+UseSerialGC -Xss512k"));
    }

    @Test
    void rates_are_readings_per_second_for_steady_and_chunks_per_second_for_xray() {
        assertEquals(2, run("steady", "--rate", "0"));
        assertEquals(2, run("steady", "--rate", "20001"));
        assertEquals(2, run("xray", "--rate", "500"));
        assertEquals(2, run("startup", "--runs", "0"));
        assertEquals(2, run("startup", "--backlog", "-1"));
    }

    private static int run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        return BenchmarkCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8));
    }
}
