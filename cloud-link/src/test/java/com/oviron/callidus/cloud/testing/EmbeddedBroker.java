package com.oviron.callidus.cloud.testing;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real MQTT broker (HiveMQ Community Edition) inside this JVM on a loopback port, for tests and the demo.
 * Its sessions and queued messages live in {@code dataDir}, so they survive {@link #stop()} and
 * {@link #start()}: that is how tests and the demo simulate an outage of the cloud.
 */
public final class EmbeddedBroker implements TestBroker {
    /**
     * How long a start or stop may take. HiveMQ loads many classes and starts many threads: on a shared CI
     * machine under a load of 20 and more, a start has been seen to take over a minute.
     */
    private static final java.time.Duration START_STOP_WAIT = java.time.Duration.ofMinutes(3);
    private final Path configDir;
    private final Path dataDir;
    private final Path extensionsDir;
    private final int port;
    private EmbeddedHiveMQ hivemq;

    private EmbeddedBroker(Path workDir, int port) {
        this.configDir = workDir.resolve("conf");
        this.dataDir = workDir.resolve("data");
        this.extensionsDir = workDir.resolve("extensions");
        this.port = port;
    }

    /** Starts a broker with its files under {@code workDir} on a free loopback port. */
    public static EmbeddedBroker start(Path workDir) {
        return start(workDir, freePort());
    }

    /** Starts a broker with its files under {@code workDir} on the given loopback port. */
    public static EmbeddedBroker start(Path workDir, int port) {
        EmbeddedBroker broker = new EmbeddedBroker(workDir, port);
        broker.writeConfig();
        // HiveMQ logs through logback, which reads its file once, at the first log call: only warnings
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", broker.configDir.resolve("logback.xml").toString());
        }
        broker.start();
        return broker;
    }

    private void writeConfig() {
        try {
            Files.createDirectories(configDir);
            Files.createDirectories(dataDir);
            Files.createDirectories(extensionsDir);
            Files.writeString(configDir.resolve("config.xml"), """
                    <?xml version="1.0"?>
                    <hivemq>
                      <listeners>
                        <tcp-listener>
                          <port>%d</port>
                          <bind-address>127.0.0.1</bind-address>
                        </tcp-listener>
                      </listeners>
                      <anonymous-usage-statistics>
                        <enabled>false</enabled>
                      </anonymous-usage-statistics>
                    </hivemq>
                    """.formatted(port));
            Files.writeString(configDir.resolve("logback.xml"), """
                    <configuration>
                      <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [broker] %msg%n</pattern></encoder>
                      </appender>
                      <root level="WARN"><appender-ref ref="CONSOLE"/></root>
                    </configuration>
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write broker config under " + configDir, e);
        }
    }

    /** Starts (again) on the same port with the same data: persistent sessions are still there. */
    @Override
    public synchronized void start() {
        if (hivemq != null) {
            return;
        }
        EmbeddedHiveMQ fresh = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(configDir)
                .withDataFolder(dataDir)
                .withExtensionsFolder(extensionsDir)
                .build();
        try {
            fresh.start().get(START_STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            try {
                fresh.close();
            } catch (Exception ignored) {
                // the start failure is what matters
            }
            throw new IllegalStateException("embedded broker did not start on port " + port, e);
        }
        hivemq = fresh;
    }

    /** Stops the broker; clients lose their connections. */
    @Override
    public synchronized void stop() {
        if (hivemq == null) {
            return;
        }
        try {
            hivemq.stop().get(START_STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
            hivemq.close();
        } catch (Exception e) {
            throw new IllegalStateException("embedded broker did not stop", e);
        } finally {
            hivemq = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return hivemq != null;
    }

    @Override
    public int port() {
        return port;
    }

    /** The URI a Paho client connects to. */
    @Override
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public String name() {
        return "hivemq";
    }

    /**
     * A loopback port that is free now, below the kernel's ephemeral range. Tests stop a broker and start it
     * again on the same port; a port from the ephemeral range (what {@code new ServerSocket(0)} gives) can be
     * taken meanwhile as the local port of any outgoing connection on the machine, and on a busy CI machine
     * that happens. Outgoing connections never get a port below the range.
     */
    static int freePort() {
        int ephemeralStart = ephemeralRangeStart();
        int low = 10_000;
        if (ephemeralStart - low >= 1_000) {
            java.util.Random random = new java.util.Random();
            for (int attempt = 0; attempt < 200; attempt++) {
                int port = low + random.nextInt(ephemeralStart - low);
                try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                    return socket.getLocalPort();
                } catch (IOException taken) {
                    // try another one
                }
            }
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    /** The first port of Linux's ephemeral range, 32768 where it cannot be read. */
    private static int ephemeralRangeStart() {
        try {
            // readAllLines, not readString: a /proc file reports size 0 and readString stops after one byte
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
