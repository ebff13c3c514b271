package com.oviron.callidus.cloud.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * One node of Debian's RabbitMQ 3.10 with its MQTT plugin, as a child process on free loopback ports, for the
 * tests that need a real broker that speaks MQTT 3.1.1 only. Its files live in a folder of its own under the
 * system's temporary folder (the node runs as the user {@code rabbitmq} when the test runs as root, and that user
 * cannot enter a test's private temporary folder). The package is installed by tools/test; a missing one fails the
 * test, it never skips. Starting takes a while (Erlang): tens of seconds on a loaded machine.
 */
public final class RabbitMqNode implements AutoCloseable {
    private static final Path SERVER = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");

    private final Path home;
    private final int mqttPort;
    private final Process process;

    private RabbitMqNode(Path home, int mqttPort, Process process) {
        this.home = home;
        this.mqttPort = mqttPort;
        this.process = process;
    }

    /** Starts a node and waits (up to 5 minutes) until its MQTT listener takes a connection. */
    public static RabbitMqNode start() {
        if (!Files.isExecutable(SERVER)) {
            throw new IllegalStateException(SERVER + " is missing: install Debian's rabbitmq-server (tools/test does"
                    + " it when run as root)");
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path home = Files.createTempDirectory("callidus-rabbitmq-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            int mqttPort = EmbeddedBroker.freePort();
            int amqpPort = EmbeddedBroker.freePort();
            int distPort = EmbeddedBroker.freePort();
            Files.writeString(home.resolve("enabled_plugins"), "[rabbitmq_mqtt].\n");
            Files.writeString(home.resolve("rabbitmq.conf"), """
                    listeners.tcp.default = 127.0.0.1:%d
                    mqtt.listeners.tcp.default = 127.0.0.1:%d
                    mqtt.allow_anonymous = true
                    loopback_users = none
                    """.formatted(amqpPort, mqttPort));
            String node = "callidus-it-" + mqttPort + "@localhost";
            Map<String, String> env = Map.of(
                    "HOME", home.toString(),
                    "RABBITMQ_NODENAME", node,
                    "RABBITMQ_NODE_PORT", Integer.toString(amqpPort),
                    "RABBITMQ_DIST_PORT", Integer.toString(distPort),
                    "RABBITMQ_MNESIA_BASE", home.resolve("mnesia").toString(),
                    "RABBITMQ_LOG_BASE", home.resolve("log").toString(),
                    "RABBITMQ_ENABLED_PLUGINS_FILE", home.resolve("enabled_plugins").toString(),
                    "RABBITMQ_CONFIG_FILE", home.resolve("rabbitmq").toString(),
                    "RABBITMQ_PID_FILE", home.resolve("pid").toString());
            List<String> command = new ArrayList<>();
            if (root) {
                new ProcessBuilder("chown", "-R", "rabbitmq:rabbitmq", home.toString()).inheritIO().start()
                        .waitFor(30, TimeUnit.SECONDS);
                command.addAll(List.of("runuser", "-u", "rabbitmq", "--", "env"));
                env.forEach((k, v) -> command.add(k + "=" + v));
            }
            command.add(SERVER.toString());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(home.resolve("console.out").toFile());
            if (!root) {
                builder.environment().putAll(env);
            }
            RabbitMqNode started = new RabbitMqNode(home, mqttPort, builder.start());
            started.awaitMqtt();
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start rabbitmq-server", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void awaitMqtt() {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (true) {
            try {
                MqttClient probe = new MqttClient(uri(), "callidus-it-probe", new MemoryPersistence());
                MqttConnectOptions options = new MqttConnectOptions();
                options.setConnectionTimeout(5);
                probe.connect(options);
                probe.disconnect();
                probe.close();
                return;
            } catch (Exception notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    String console = read(home.resolve("console.out"));
                    close();
                    throw new IllegalStateException("rabbitmq-server did not take MQTT connections on port " + mqttPort
                            + ": " + console);
                }
                try {
                    Thread.sleep(500); // polling a process that starts in its own time
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        }
    }

    public String uri() {
        return "tcp://127.0.0.1:" + mqttPort;
    }

    public int port() {
        return mqttPort;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Stops the node (SIGTERM to its Erlang VM, then SIGKILL after 30 s) and removes its files. */
    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        for (ProcessHandle p : tree) {
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind
        }
    }
}
