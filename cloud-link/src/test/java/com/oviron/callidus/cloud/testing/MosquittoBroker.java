package com.oviron.callidus.cloud.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Debian's mosquitto as a child process on a loopback port, for interoperability tests. Persistence is on,
 * so sessions and queued messages survive {@link #stop()} (SIGTERM, mosquitto saves its database) and
 * {@link #start()}. It runs as the test's own user (mosquitto started as root would otherwise switch to the
 * user "mosquitto", which cannot write its database into the test's folder). The package is installed by
 * tools/test; a missing binary fails the test, it never skips.
 */
public final class MosquittoBroker implements TestBroker {
    private static final Path BINARY = Files.exists(Path.of("/usr/sbin/mosquitto"))
            ? Path.of("/usr/sbin/mosquitto") : Path.of("mosquitto");

    private final Path workDir;
    private final Path config;
    private final int port;
    private Process process;
    private boolean tls;
    private boolean frozen;

    private MosquittoBroker(Path workDir, int port) {
        this.workDir = workDir;
        this.config = workDir.resolve("mosquitto.conf");
        this.port = port;
    }

    /** The log mosquitto writes (errors, warnings, notices). */
    public String log() {
        return readQuietly(workDir.resolve("mosquitto.log")) + readQuietly(workDir.resolve("mosquitto.out"));
    }

    /** Starts mosquitto with its files under {@code workDir} on a free loopback port. */
    public static MosquittoBroker start(Path workDir) {
        return start(workDir, "");
    }

    /**
     * Starts mosquitto with TLS on a free loopback port: its certificate and key, the CA it checks client
     * certificates against, and a client certificate required.
     */
    public static MosquittoBroker startTls(Path workDir, Path caFile, Path certFile, Path keyFile) {
        return start(workDir, """
                cafile %s
                certfile %s
                keyfile %s
                require_certificate true
                """.formatted(caFile.toAbsolutePath(), certFile.toAbsolutePath(), keyFile.toAbsolutePath()));
    }

    /**
     * Starts mosquitto on a free loopback port with more configuration lines, e.g. {@code acl_file ...} or
     * {@code max_topic_alias 0} (global options; mosquitto reads them wherever they stand).
     */
    public static MosquittoBroker startWith(Path workDir, String extraConfig) {
        return start(workDir, "", extraConfig);
    }

    private static MosquittoBroker start(Path workDir, String listenerOptions) {
        return start(workDir, listenerOptions, "");
    }

    private static MosquittoBroker start(Path workDir, String listenerOptions, String extraConfig) {
        MosquittoBroker broker = new MosquittoBroker(workDir, EmbeddedBroker.freePort());
        broker.tls = !listenerOptions.isEmpty();
        try {
            Files.createDirectories(workDir);
            Files.writeString(broker.config, """
                    listener %d 127.0.0.1
                    user %s
                    %s
                    allow_anonymous true
                    persistence true
                    persistence_location %s/
                    max_queued_messages 0
                    max_inflight_messages 0
                    log_dest file %s
                    log_type error
                    log_type warning
                    log_type notice
                    %s
                    """.formatted(broker.port, System.getProperty("user.name"), listenerOptions.strip(), workDir.toAbsolutePath(), workDir.resolve("mosquitto.log")
                    .toAbsolutePath(), extraConfig.strip()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + broker.config, e);
        }
        broker.start();
        return broker;
    }

    @Override
    public synchronized void start() {
        if (process != null) {
            return;
        }
        try {
            process = new ProcessBuilder(BINARY.toString(), "-c", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("mosquitto.out").toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + BINARY + " (install Debian's mosquitto: tools/test "
                    + "does it when run as root)", e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    String out = readQuietly(workDir.resolve("mosquitto.out")) + readQuietly(workDir.resolve("mosquitto.log"));
                    process.destroyForcibly();
                    process = null;
                    throw new IllegalStateException("mosquitto did not start on port " + port + ": " + out);
                }
                Thread.onSpinWait();
            }
        }
    }

    /** SIGSTOP: the broker freezes; the kernel still accepts connections and buffers bytes for it. */
    public synchronized void freeze() {
        signal("STOP");
        frozen = true;
    }

    /** SIGCONT: the frozen broker goes on where it stopped. */
    public synchronized void thaw() {
        signal("CONT");
        frozen = false;
    }

    private void signal(String name) {
        if (process == null) {
            throw new IllegalStateException("mosquitto is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        if (frozen) {
            thaw(); // a stopped process keeps SIGTERM pending
        }
        process.destroy(); // SIGTERM: mosquitto writes its persistence file and exits
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            process = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return process != null;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String uri() {
        return (tls ? "ssl" : "tcp") + "://127.0.0.1:" + port;
    }

    @Override
    public String name() {
        return "mosquitto";
    }

    private static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        stop();
    }
}
