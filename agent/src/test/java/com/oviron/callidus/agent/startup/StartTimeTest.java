package com.oviron.callidus.agent.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StartTimeTest {
    // pid 4242, a command name with spaces and parentheses; utime 150, stime 30 ticks; started 1000 ticks after boot
    static final String STAT = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 30 0 0 20 0 30 0 1000"
            + " 4000000000 20000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";

    @Test
    void the_time_since_start_is_the_uptime_minus_the_start_in_clock_ticks() {
        assertEquals(1_230, StartTime.millisSince(STAT, "11.23 40.00\n"));
    }

    @Test
    void cpu_time_is_user_plus_system_ticks() {
        assertEquals(1_800, StartTime.cpuMillis(STAT));
    }

    @Test
    void this_process_has_been_running_for_some_time_and_used_some_cpu() {
        assertTrue(StartTime.millisSinceProcessStart().orElseThrow() > 0);
        assertTrue(StartTime.cpuMillis().orElseThrow() > 0);
    }
}
