package com.oviron.callidus.tools.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SoakBenchmarkTest {
    @Test
    void heap_after_gc_is_read_from_jcmd_for_the_serial_and_the_g1_collector() {
        String serial = """
                 def new generation   total 9792K, used 1234K [0x00000000f3400000, 0x00000000f3ea0000)
                  eden space 8704K,  14% used [0x00000000f3400000, 0x00000000f3c80000)
                 tenured generation   total 21652K, used 15000K [0x00000000f8c00000, 0x00000000fa125000)
                 Metaspace       used 20000K, committed 20480K, reserved 1114112K
                """;
        assertEquals(Optional.of((1234L + 15000L) * 1024), SoakBenchmark.heapUsed(serial));
        String g1 = " garbage-first heap   total 262144K, used 23456K [0x00000000f0000000, 0x0000000100000000)\n";
        assertEquals(Optional.of(23456L * 1024), SoakBenchmark.heapUsed(g1));
        assertEquals(Optional.empty(), SoakBenchmark.heapUsed("12345:\ncom.sun.tools.attach.AttachNotSupportedException"));
    }

    @Test
    void soak_options_are_checked_and_the_help_names_them() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchmarkCommand.run(new String[] {"soak", "--minutes", "0"}, new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--minutes must be 1..10080"));
        out.reset();
        assertEquals(0, BenchmarkCommand.run(new String[] {"--help"}, new PrintStream(out, true,
                StandardCharsets.UTF_8), System.err));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--outage-every"));
    }
}
