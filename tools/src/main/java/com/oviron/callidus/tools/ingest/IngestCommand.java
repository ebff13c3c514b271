package com.oviron.callidus.tools.ingest;

import com.oviron.callidus.agent.AgentConfigLoader;
import com.oviron.callidus.tools.ingest.amqp.AmqpIngestSource;
import com.oviron.callidus.tools.ingest.jdbc.JdbcReadingStore;
import com.oviron.callidus.tools.ingest.paho.MqttIngestSource;
import com.rabbitmq.client.Address;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ingest}: the reference cloud-side consumer. Takes every unit's telemetry and events from the broker
 * (RabbitMQ's competing consumers over AMQP, or an MQTT shared subscription), checks and decodes them, drops
 * duplicates by (device, sequence number), reports gaps, writes the readings to SQLite or PostgreSQL and
 * prints its throughput. {@code ingest report} prints what a database holds: readings per unit and the gaps.
 */
public final class IngestCommand {
    static final String USAGE = """
            Usage: java -jar tools/target/callidus-tools.jar ingest (--amqp <host:port>[,<host:port>...] |
                          --mqtt <tcp://host:port> [--share-group <name>]) [options]
                   java -jar tools/target/callidus-tools.jar ingest report --db <jdbc-url>

            Consumes the telemetry and events of every unit and writes the readings to a database, each
            (device, sequence number) once. Several instances with the same --queue (AMQP) or --share-group
            (MQTT) share the load. Prints a line every --report and a summary at the end.

            Options:
              --amqp <addrs>        RabbitMQ nodes (AMQP 0-9-1), e.g. 127.0.0.1:5672,127.0.0.1:5673; the
                                    durable quorum queue --queue is declared and bound to amq.topic
              --mqtt <uri>          an MQTT broker with shared subscriptions (tcp://host:1883)
              --share-group <name>  with --mqtt: subscribe as $share/<name>/...; without it: one instance only
              --queue <name>        with --amqp: the queue (default callidus.ingest)
              --vhost <name>        with --amqp: the virtual host (default /)
              --user <name>         broker user (default guest, RabbitMQ's loopback-only default)
              --db <jdbc-url>       jdbc:sqlite:<file> (default jdbc:sqlite:ingest.db) or
                                    jdbc:postgresql://host:port/database
              --db-user <name>      database user
              --prefetch <n>        unacknowledged messages at most (default 2000)
              --batch <n>           messages per database transaction at most (default 500)
              --duration <d>        stop after this long (default: until Ctrl-C)
              --report <d>          print a progress line this often (default 10s)
              --client-id <id>      with --mqtt: the client id (default callidus-ingest-<pid>)

            Passwords come from the environment, never from the command line: CALLIDUS_INGEST_BROKER_PASSWORD
            (default guest for the user guest) and CALLIDUS_INGEST_DB_PASSWORD.
            Exit codes: 0 done (report: no gaps), 1 failed (report: gaps found), 2 usage error.
            """;

    private IngestCommand() {
    }

    /** The options of a consuming run. */
    record Options(Optional<List<Address>> amqp, Optional<String> mqtt, Optional<String> shareGroup, String queue,
                   String vhost, String user, String db, Optional<String> dbUser, int prefetch, int batch,
                   Optional<Duration> duration, Duration report, String clientId) {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, System.getenv(), new CountDownLatch(1));
    }

    /**
     * @param stop counted down to end a run without --duration (Ctrl-C, or a test)
     */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env,
                          CountDownLatch stop) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("help"))) {
            out.print(USAGE);
            return 0;
        }
        if (args.length > 0 && args[0].equals("report")) {
            return report(args, out, err, env);
        }
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        Optional<String> dbPassword = Optional.ofNullable(env.get("CALLIDUS_INGEST_DB_PASSWORD"));
        String brokerPassword = env.getOrDefault("CALLIDUS_INGEST_BROKER_PASSWORD", o.user().equals("guest")
                ? "guest" : "");
        try (ReadingStore store = JdbcReadingStore.open(o.db(), o.dbUser(), dbPassword);
             IngestPipeline pipeline = new IngestPipeline(store, o.batch());
             IngestSource source = o.amqp().isPresent()
                     ? new AmqpIngestSource(o.amqp().get(), o.user(), brokerPassword, o.vhost(), o.queue(), o.prefetch())
                     : new MqttIngestSource(o.mqtt().orElseThrow(), o.clientId(), o.shareGroup(),
                     Optional.of(o.user()), Optional.of(brokerPassword))) {
            source.start(pipeline::accept);
            out.println("ingest from " + source.describe() + " into " + JdbcReadingStore.withoutSecrets(o.db()));
            Throughput meter = new Throughput(System.nanoTime());
            Thread hook = new Thread(stop::countDown, "ingest-ctrl-c");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                long end = o.duration().map(d -> System.nanoTime() + d.toNanos()).orElse(Long.MAX_VALUE);
                while (System.nanoTime() < end) {
                    long wait = Math.min(o.report().toNanos(), end - System.nanoTime());
                    if (stop.await(Math.max(1, wait), TimeUnit.NANOSECONDS)) {
                        break;
                    }
                    out.println(meter.line(pipeline.stats(), System.nanoTime()));
                }
            } finally {
                removeHook(hook);
            }
            source.close();
            long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!pipeline.idle() && System.nanoTime() < drainUntil) {
                Thread.sleep(20);
            }
            pipeline.close();
            out.println(meter.summary(pipeline.stats(), System.nanoTime()));
            printGaps(store.gaps(), out);
            return 0;
        } catch (IngestException | IOException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is stopping
        }
    }

    private static int report(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        String db = null;
        Optional<String> user = Optional.empty();
        for (int i = 1; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--db" -> db = value;
                case "--db-user" -> user = Optional.ofNullable(value);
                default -> {
                    err.println("error: unknown option '" + args[i] + "'");
                    return 2;
                }
            }
            i++;
        }
        if (db == null) {
            err.println("error: report needs --db <jdbc-url>");
            return 2;
        }
        try (ReadingStore store = JdbcReadingStore.open(db, user,
                Optional.ofNullable(env.get("CALLIDUS_INGEST_DB_PASSWORD")))) {
            List<ReadingStore.StreamSummary> summary = store.summary();
            out.println("units=" + summary.size() + " readings="
                    + summary.stream().mapToLong(ReadingStore.StreamSummary::readings).sum() + " events="
                    + summary.stream().mapToLong(ReadingStore.StreamSummary::events).sum());
            for (ReadingStore.StreamSummary s : summary) {
                out.println("unit " + s.device() + " readings=" + s.readings() + " seq=" + s.firstSeq() + ".."
                        + s.lastSeq() + " events=" + s.events());
            }
            List<ReadingStore.Gap> gaps = store.gaps();
            printGaps(gaps, out);
            return gaps.isEmpty() ? 0 : 1;
        } catch (IngestException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static void printGaps(List<ReadingStore.Gap> gaps, PrintStream out) {
        long missing = gaps.stream().mapToLong(ReadingStore.Gap::size).sum();
        out.println("gaps in the database: " + gaps.size() + " (" + missing + " readings)");
        gaps.stream().limit(20).forEach(g -> out.println("  gap " + g.device() + " " + g.fromSeq() + ".." + g.toSeq()));
        if (gaps.size() > 20) {
            out.println("  ... " + (gaps.size() - 20) + " more");
        }
    }

    static Options parse(String[] args) {
        Optional<List<Address>> amqp = Optional.empty();
        Optional<String> mqtt = Optional.empty();
        Optional<String> shareGroup = Optional.empty();
        String queue = AmqpIngestSource.DEFAULT_QUEUE;
        String vhost = "/";
        String user = "guest";
        String db = "jdbc:sqlite:ingest.db";
        Optional<String> dbUser = Optional.empty();
        int prefetch = 2000;
        int batch = 500;
        Optional<Duration> duration = Optional.empty();
        Duration report = Duration.ofSeconds(10);
        String clientId = "callidus-ingest-" + ProcessHandle.current().pid();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option.startsWith("--") ? option + " needs a value"
                        : "unexpected argument '" + option + "'");
            }
            String v = args[++i];
            switch (option) {
                case "--amqp" -> amqp = Optional.of(addresses(v));
                case "--mqtt" -> mqtt = Optional.of(v);
                case "--share-group" -> shareGroup = Optional.of(v);
                case "--queue" -> queue = v;
                case "--vhost" -> vhost = v;
                case "--user" -> user = v;
                case "--db" -> db = v;
                case "--db-user" -> dbUser = Optional.of(v);
                case "--prefetch" -> prefetch = number(option, v, 1, 65535);
                case "--batch" -> batch = number(option, v, 1, 100_000);
                case "--duration" -> duration = Optional.of(duration(option, v));
                case "--report" -> report = duration(option, v);
                case "--client-id" -> clientId = v;
                default -> throw new IllegalArgumentException("unknown option '" + option + "'");
            }
        }
        if (amqp.isPresent() == mqtt.isPresent()) {
            throw new IllegalArgumentException("give exactly one of --amqp and --mqtt");
        }
        if (shareGroup.isPresent() && mqtt.isEmpty()) {
            throw new IllegalArgumentException("--share-group goes with --mqtt");
        }
        return new Options(amqp, mqtt, shareGroup, queue, vhost, user, db, dbUser, prefetch, batch, duration, report,
                clientId);
    }

    private static List<Address> addresses(String text) {
        List<Address> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String[] hp = part.trim().split(":");
            if (hp.length != 2) {
                throw new IllegalArgumentException("--amqp wants host:port[,host:port...], got '" + text + "'");
            }
            out.add(new Address(hp[0], number("--amqp port", hp[1], 1, 65535)));
        }
        return out;
    }

    private static int number(String option, String text, int min, int max) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a whole number from " + min + " to " + max
                    + ", got '" + text + "'");
        }
    }

    private static Duration duration(String option, String text) {
        Duration d = AgentConfigLoader.parseDuration(text).orElseThrow(() -> new IllegalArgumentException(
                option + " must be a duration like 30s or 5m, got '" + text + "'"));
        if (d.isZero()) {
            throw new IllegalArgumentException(option + " must be longer than 0, got '" + text + "'");
        }
        return d;
    }
}
