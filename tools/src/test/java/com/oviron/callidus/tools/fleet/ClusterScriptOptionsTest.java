package com.oviron.callidus.tools.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tools/rabbitmq-cluster's options that take effect on a real cluster only in the fleet runs and
 * {@code ClusterFailoverIT}: {@code --start-timeout} (how long start and start-node wait for a node; the fleet's
 * restart scenario passes its --max-wait), {@code --session-queues} and {@code --quorum-tick}: a bad value is
 * refused before anything is touched, a good one is taken.
 */
class ClusterScriptOptionsTest {
    @TempDir
    Path dir;

    @Test
    void a_start_timeout_that_is_not_a_whole_number_of_seconds_in_range_is_refused() throws Exception {
        for (String bad : List.of("0", "-5", "10s", "86401", "")) {
            Result r = run("start-node", "1", "--start-timeout", bad, "--dir", dir.toString());
            assertEquals(1, r.code, r.output);
            assertTrue(r.output.contains("--start-timeout must be a whole number of seconds from 1 to 86400, got '"
                    + bad + "'"), r.output);
        }
        Result missing = run("start-node", "1", "--dir", dir.toString(), "--start-timeout");
        assertEquals(1, missing.code, missing.output);
        assertTrue(missing.output.contains("--start-timeout needs a number of seconds"), missing.output);
    }

    @Test
    void a_good_start_timeout_is_taken_and_the_command_goes_on() throws Exception {
        // no cluster in the folder: the script gets past its options and stops at the missing cluster
        Result r = run("start-node", "2", "--start-timeout", "900", "--dir", dir.toString());
        assertEquals(1, r.code, r.output);
        assertTrue(!r.output.contains("--start-timeout"), r.output);
        assertTrue(r.output.contains(dir.toString()), "it went on to look for the cluster in the folder: " + r.output);
    }

    @Test
    void session_queues_are_classic_or_quorum_and_chosen_when_the_cluster_is_made() throws Exception {
        Result bad = run("start", "--session-queues", "mirrored", "--dir", dir.toString());
        assertEquals(1, bad.code, bad.output);
        assertTrue(bad.output.contains("--session-queues must be classic or quorum"), bad.output);
        Result notStart = run("start-node", "1", "--session-queues", "quorum", "--dir", dir.toString());
        assertEquals(1, notStart.code, notStart.output);
        assertTrue(notStart.output.contains("--session-queues goes with start"), notStart.output);
    }

    @Test
    void the_quorum_tick_is_whole_milliseconds_from_1000_to_600000_and_chosen_when_the_cluster_is_made()
            throws Exception {
        for (String bad : List.of("999", "600001", "5s", "-1")) {
            Result r = run("start", "--quorum-tick", bad, "--dir", dir.toString());
            assertEquals(1, r.code, r.output);
            assertTrue(r.output.contains("--quorum-tick must be a whole number of milliseconds from 1000 to 600000,"
                    + " got '" + bad + "'"), r.output);
        }
        Result notStart = run("start-node", "1", "--quorum-tick", "60000", "--dir", dir.toString());
        assertEquals(1, notStart.code, notStart.output);
        assertTrue(notStart.output.contains("--quorum-tick goes with start"), notStart.output);
        // a cluster made with one tick is not started with another (its cluster.env keeps the first)
        java.nio.file.Files.writeString(dir.resolve("cluster.env"),
                "BASE_PORT=64900\nTAG=00000000\nSESSION_QUEUES=quorum\nQUORUM_TICK=60000\n");
        Result other = run("start", "--quorum-tick", "5000", "--dir", dir.toString());
        assertEquals(1, other.code, other.output);
        assertTrue(other.output.contains("has a quorum tick of 60000 ms; destroy it to make one with 5000"),
                other.output);
    }

    @Test
    void a_root_must_hold_a_rabbitmq_server_and_is_chosen_when_the_cluster_is_made() throws Exception {
        Path empty = java.nio.file.Files.createDirectories(dir.resolve("not-a-root"));
        Result none = run("start", "--root", empty.toString(), "--dir", dir.resolve("c").toString());
        assertEquals(1, none.code, none.output);
        assertTrue(none.output.contains("no rabbitmq-server in " + empty + " (" + empty
                + "/usr/lib/rabbitmq/bin/rabbitmq-server missing): tools/rabbitmq-cluster make-root " + empty),
                none.output);
        Result notStart = run("start-node", "1", "--root", empty.toString(), "--dir", dir.toString());
        assertEquals(1, notStart.code, notStart.output);
        assertTrue(notStart.output.contains("--root goes with start"), notStart.output);
        Result noFolder = run("start", "--dir", dir.toString(), "--root");
        assertEquals(1, noFolder.code, noFolder.output);
        assertTrue(noFolder.output.contains("--root needs a folder"), noFolder.output);
    }

    @Test
    void make_root_does_not_write_into_a_folder_that_holds_something_else() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("notes.txt"), "mine");
        Result r = run("make-root", dir.toString());
        assertEquals(1, r.code, r.output);
        assertTrue(r.output.contains(dir + " exists and is not empty (nor a root with rabbitmq-server)"), r.output);
        Result suite = run("make-root", dir.toString(), "--suite", "Trixie 13");
        assertEquals(1, suite.code, suite.output);
        assertTrue(suite.output.contains("--suite must be a Debian suite name such as trixie"), suite.output);
        Result notMake = run("start", "--suite", "trixie", "--dir", dir.toString());
        assertEquals(1, notMake.code, notMake.output);
        assertTrue(notMake.output.contains("--suite goes with make-root"), notMake.output);
    }

    private record Result(int code, String output) {
    }

    private static Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ClusterScript.path().toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the script ended");
        return new Result(p.exitValue(), out);
    }
}
