package com.oviron.callidus.tools.fleet;

import com.oviron.callidus.tools.ingest.IngestPipeline;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.tinylog.configuration.Configuration;

/**
 * {@code fleet}: N units in one JVM against a broker cluster, with scenarios that print tables
 * (docs/fleet.md): steady state, a broker node restart, a one-hour outage at accelerated time.
 */
public final class FleetCommand {
    static final String USAGE = """
            Usage: java -Xss256k -jar tools/target/callidus-tools.jar fleet --units <n> [options]

            N simulated CALLIDUS units in this JVM: the first --complete are complete agents (simulated board,
            real sampler, SQLite store, Paho session; threads shared), the rest lightweight MQTT-only units that
            publish the same batches (HiveMQ MQTT client, all on a few shared threads). With AMQP addresses (or --cluster-dir) the reference consumer runs in the
            same JVM and the end of the run checks that every reading arrived once. See docs/fleet.md.

            Options:
              --units <n>              units in all (required)
              --complete <n>           how many of them are complete agents (default min(units, 100))
              --cluster-dir <dir>      a cluster of tools/rabbitmq-cluster: brokers, AMQP and node restarts from it
              --broker <uris>          MQTT brokers, comma-separated (unit i on broker i mod n)
              --amqp <addrs>|none      the consumer's RabbitMQ nodes (host:port,...); none: no consumer
              --db <jdbc-url>          the consumer's database (default SQLite in the data folder)
              --scenario <list>        steady, restart, outage, comma-separated (default steady)
              --warmup <d>             before steady state is measured (default 20s)
              --window <d>             steady state is measured this long (default 60s)
              --restart-node <n>       the node the restart scenario kills (default 1)
              --restart-down <d>       how long it stays down (default 20s)
              --outage <d>             the outage scenario's length, at accelerated time (default 1h)
              --start-rate <n>         units started per second at most (default 100)
              --max-connect-rate <n>   connects per second the cluster is sized for; the restart's peak is
                                       judged against it (default 200)
              --reconnect-min <d>      the units' mqtt.reconnectMin (default: twice a node's units over
                                       --max-connect-rate, so that a node's units come back at about half the
                                       rate; with the outage scenario twice all units, who come back together;
                                       at least 1s, the agent's default)
              --reconnect-max <d>      the units' mqtt.reconnectMax (default 2m, the agent's default, or
                                       reconnectMin when that is larger; never below reconnectMin)
              --connect-timeout <d>    the units' mqtt.connectTimeout: how long a connect may wait for CONNACK
                                       before the unit gives it up (default 10s, the agent's default; a
                                       loaded cluster goes on working on a connect its unit gave up)
              --persistent-session <b> the units' mqtt.persistentSession (default true, the agent's default)
              --sample-period <d>      the units' hal.samplePeriod (default 100ms, the agent's default)
              --sync-interval <d>      the units' sync.interval (default 10s, the agent's default)
              --schedule <s>           register-map: each channel at the shipped register map's period and
                                       deadband, as a unit sends (default); every-sample: every channel on every
                                       sample (hal.simulatorSchedule)
              --protocol <p>           the complete agents' mqtt.protocol: auto, 5, 3.1.1 (default auto, the agent's
                                       default; RabbitMQ 3.10 speaks 3.1.1 only; lightweight units always 3.1.1)
              --workers <n>            shared threads for the agents' components (default 2 x cores, at least 4)
              --data-dir <dir>         the units' folders, fleet.log and ingest.db (default a new temporary folder)
              --max-wait <d>           longest wait for the fleet to connect or drain, and for a restarted node (default 10m)

            Exit codes: 0 done and nothing lost, 1 readings missing or the run failed, 2 usage error.
            """;

    private FleetCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help")) {
            (args.length == 0 ? err : out).print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        FleetOptions o;
        try {
            o = FleetOptions.parse(args);
        } catch (IllegalArgumentException | IOException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        try {
            Path data = o.dataDir().isPresent() ? Files.createDirectories(o.dataDir().get())
                    : Files.createTempDirectory("callidus-fleet-");
            routeLogTo(data.resolve("fleet.log"));
            out.println("fleet: " + o.units() + " units (" + o.complete() + " complete agents, "
                    + (o.units() - o.complete()) + " lightweight) on " + o.brokers() + "; data in " + data);
            out.println("limits: " + Limits.describe());
            try (Fleet fleet = Fleet.create(o, data, out)) {
                return new Scenarios(fleet, out).run();
            }
        } catch (Exception e) {
            err.println("error: fleet failed: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    private static void routeLogTo(Path file) {
        if (Configuration.isFrozen()) {
            return;
        }
        Configuration.replace(Map.of(
                "writer", "file",
                "writer.file", file.toAbsolutePath().toString(),
                "writer.level", "warn",
                "writer.format", "{date:yyyy-MM-dd HH:mm:ss.SSS} {level} [{thread}] {message}",
                "writer.buffered", "true",
                "writingthread", "true",
                "autoshutdown", "false"));
    }

    /** This process's resources, as the tables report them. */
    static final class Limits {
        private Limits() {
        }

        static String describe() {
            return "open files " + limit("Max open files") + ", processes/threads " + limit("Max processes")
                    + ", heap max " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB, cores "
                    + Runtime.getRuntime().availableProcessors();
        }

        private static String limit(String name) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                    if (line.startsWith(name)) {
                        String[] f = line.substring(name.length()).trim().split("\\s+");
                        return f[0] + " (hard " + f[1] + ")";
                    }
                }
            } catch (IOException e) {
                return "?";
            }
            return "?";
        }

        static long openFiles() {
            try (var s = Files.list(Path.of("/proc/self/fd"))) {
                return s.count();
            } catch (IOException e) {
                return -1;
            }
        }

        static int threads() {
            return ManagementFactory.getThreadMXBean().getThreadCount();
        }

        static long cpuNanos() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
        }

        static long heapUsedAfterGc() {
            System.gc();
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }
    }

    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    static String mib(long bytes) {
        return f("%.1f MiB", bytes / 1048576.0);
    }

    static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    static long written(Fleet fleet) {
        return fleet.ingest.map(IngestPipeline::stats).map(IngestPipeline.Stats::readingsWritten).orElse(0L);
    }
}
