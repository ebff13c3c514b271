package com.oviron.callidus.tools.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The 3-node RabbitMQ cluster of {@code tools/rabbitmq-cluster} (Debian's rabbitmq-server with the MQTT
 * plugin), for integration tests: started once per test JVM ({@link #shared()}) on a free port range, in a
 * folder under /tmp, destroyed when the JVM ends. A missing package fails the test, it never skips.
 */
public final class RabbitMqCluster {
    private static final Path SCRIPT = locateScript();
    private static RabbitMqCluster shared;

    private final Path dir;
    private final Map<String, String> env = new HashMap<>();
    /** How long the start took, for the report. */
    private final String startLine;

    private RabbitMqCluster(Path dir, String startLine) throws IOException {
        this.dir = dir;
        this.startLine = startLine;
        for (String line : Files.readAllLines(dir.resolve("cluster.env"))) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
    }

    /**
     * The cluster of this test JVM, started on first use. With the system property
     * {@code callidus.rabbitmq.dir} the tests use a cluster already started there by tools/rabbitmq-cluster
     * (and leave it running), which saves its start when a developer runs them again and again.
     */
    public static synchronized RabbitMqCluster shared() {
        String existing = System.getProperty("callidus.rabbitmq.dir", "");
        if (shared == null && !existing.isEmpty()) {
            try {
                shared = new RabbitMqCluster(Path.of(existing), "using the running cluster in " + existing);
                for (int n = 1; n <= 3; n++) {
                    shared.startNode(n); // a node a previous run left down
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no cluster in " + existing, e);
            }
        }
        if (shared == null) {
            shared = start();
            RabbitMqCluster c = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(c::destroy, "rabbitmq-cluster-destroy"));
        }
        return shared;
    }

    private static RabbitMqCluster start() {
        try {
            Path dir = Files.createTempDirectory("callidus-rabbitmq-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            String out = run("start", "--dir", dir.toString(), "--base-port", Integer.toString(freeBase()));
            String line = out.lines().filter(l -> l.startsWith("cluster up")).findFirst().orElse(out);
            System.out.println("[rabbitmq-cluster] " + line);
            return new RabbitMqCluster(dir, line);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the RabbitMQ cluster", e);
        }
    }

    /** A base port with the 100 ports above it free, below the ephemeral range. */
    private static int freeBase() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 20_000 + 100 * ThreadLocalRandom.current().nextInt(100);
            if (free(base, base + 100)) {
                return base;
            }
        }
        throw new IllegalStateException("no free port range for the RabbitMQ cluster");
    }

    private static boolean free(int from, int to) {
        for (int p = from; p < to; p++) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("127.0.0.1", p));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    public String startLine() {
        return startLine;
    }

    /** {@code tcp://127.0.0.1:<mqtt port of node n>}, n = 1..3. */
    public String mqttUri(int node) {
        return "tcp://127.0.0.1:" + env.get("NODE" + node + "_MQTT");
    }

    /** {@code 127.0.0.1:<amqp port of node n>}. */
    public String amqpAddress(int node) {
        return "127.0.0.1:" + env.get("NODE" + node + "_AMQP");
    }

    public String nodeName(int node) {
        return env.get("NODE" + node + "_NAME");
    }

    public Path dir() {
        return dir;
    }

    /** tools/rabbitmq-cluster itself. */
    public static Path script() {
        return SCRIPT;
    }

    /** SIGKILL of node n: a broker host that crashed. */
    public void kill(int node) {
        run("kill-node", Integer.toString(node), "--dir", dir.toString());
    }

    /** Starts node n again; returns once its listeners accept connections. */
    public String startNode(int node) {
        return run("start-node", Integer.toString(node), "--dir", dir.toString()).strip();
    }

    /** rabbitmqctl against node n; its output. */
    public String ctl(int node, String... args) {
        List<String> all = new ArrayList<>(List.of("ctl", Integer.toString(node)));
        all.addAll(List.of(args));
        all.addAll(List.of("--dir", dir.toString()));
        return run(all.toArray(String[]::new));
    }

    /**
     * Ends the nodes with SIGKILL, then deletes the folder: a throw-away test cluster needs no graceful stop, and
     * three graceful stops took over the 30 s the test JVM is given to exit (surefire then killed it and left
     * the nodes running).
     */
    public void destroy() {
        for (int n = 3; n >= 1; n--) {
            try {
                kill(n);
            } catch (RuntimeException e) {
                // already down (a test killed it)
            }
        }
        try {
            run("destroy", "--dir", dir.toString());
        } catch (RuntimeException e) {
            System.err.println("[rabbitmq-cluster] destroy failed: " + e.getMessage());
        }
    }

    private static String run(String... args) {
        List<String> command = new ArrayList<>();
        command.add(SCRIPT.toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("tools/rabbitmq-cluster " + String.join(" ", args) + " failed:\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + SCRIPT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static Path locateScript() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolve("tools/rabbitmq-cluster");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return here.resolve("tools/rabbitmq-cluster");
    }
}
