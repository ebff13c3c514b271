package com.oviron.callidus.tools.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.tools.testing.RabbitMqCluster;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet's restart scenario when the killed node is not back in time (at 10,000 units a node with classic
 * sessions took more than 20 minutes to boot: docs/fleet.md): the run must say so and end with exit status 1,
 * whatever the fleet did meanwhile. The node's late start is real: the real {@code tools/rabbitmq-cluster} gives
 * the node one second ({@code --start-timeout 1}, put after the scenario's own by a wrapper), gives up while
 * the node boots on, and the scenario goes on measuring and verifying the fleet.
 */
class RestartScenarioIT {
    private static final int UNITS = 9;

    @TempDir
    Path dir;

    @Test
    void a_node_not_back_within_the_scripts_timeout_fails_the_run_and_the_table_says_so() throws Exception {
        RabbitMqCluster cluster = RabbitMqCluster.shared();
        Path wrapper = dir.resolve("rabbitmq-cluster-1s");
        String script = RabbitMqCluster.script().toString();
        Files.writeString(wrapper, "#!/bin/sh\n"
                + "# tools/rabbitmq-cluster, but start-node waits one second for the node (the last option wins)\n"
                + "if [ \"$1\" = start-node ]; then exec '" + script + "' \"$@\" --start-timeout 1; fi\n"
                + "exec '" + script + "' \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        FleetOptions options = FleetOptions.parse(new String[] {"--units", Integer.toString(UNITS), "--complete",
                Integer.toString(UNITS), "--cluster-dir", cluster.dir().toString(), "--scenario", "restart",
                "--restart-node", "1", "--restart-down", "1s", "--sample-period", "1s", "--reconnect-min", "500ms",
                "--reconnect-max", "5s", "--max-wait", "5m", "--workers", "2"});
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(new Tee(captured, System.out), true, StandardCharsets.UTF_8);
             Fleet fleet = Fleet.create(options, dir, out)) {
            exit = new Scenarios(fleet, out, wrapper).run();
        } finally {
            // the node boots on after the script gave up: the next test finds the cluster whole
            System.out.println("[RestartScenarioIT] " + cluster.startNode(1));
        }
        String report = captured.toString(StandardCharsets.UTF_8);
        assertEquals(1, exit, report);
        assertTrue(report.contains("(NOT up within 300s)"), report);
        assertTrue(report.contains("result: the restart did not complete: node 1 did not come back within 300s:"),
                report);
        assertTrue(report.contains("node 1 not up within 1s"), "the script's own reason is passed on: " + report);
        // what the fleet did is still measured and verified: the node came back late, its units with it
        assertTrue(report.contains("result: nothing lost"), report);
        assertTrue(report.contains("before stopping: " + UNITS + " of " + UNITS + " units connected"), report);
    }

    /** Writes to both streams: the report is asserted on and shown in the test's output. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            a.flush();
            b.flush();
        }
    }
}
