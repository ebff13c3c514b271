package com.oviron.callidus.tools.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's PostgreSQL 15 as a cluster of the test's own: {@code initdb} into a fresh folder, {@code pg_ctl start}
 * on a free loopback port (no Unix socket outside the folder), password authentication (scram-sha-256) for the
 * user {@code callidus}. PostgreSQL refuses to run as root, so as root it runs as the user {@code postgres}
 * (created by Debian's package), otherwise as the test's user. The package is installed by tools/test; a
 * missing binary fails the test, it never skips.
 */
public final class PostgresServer implements AutoCloseable {
    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    public static final String USER = "callidus";

    private final Path dir;
    private final int port;
    private final String password;

    private PostgresServer(Path dir, int port, String password) {
        this.dir = dir;
        this.port = port;
        this.password = password;
    }

    /** Creates and starts a cluster; its folder is made under /tmp (a JUnit @TempDir is private to root). */
    public static PostgresServer start(String password) {
        if (!Files.isExecutable(BIN.resolve("initdb"))) {
            throw new IllegalStateException("Debian's PostgreSQL 15 is not installed (" + BIN.resolve("initdb")
                    + " missing): apt-get install postgresql (tools/test installs it)");
        }
        try {
            Path dir = Files.createTempDirectory("callidus-pg-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path pw = dir.resolve("pwfile");
            Files.writeString(pw, password + "\n");
            PostgresServer server = new PostgresServer(dir, freePort(), password);
            if (isRoot()) {
                run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
            }
            server.asOwner(List.of(BIN.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", USER,
                    "--pwfile=" + pw, "-A", "scram-sha-256", "-E", "UTF8", "--no-sync"));
            server.asOwner(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
                    "-l", dir.resolve("postgres.log").toString(), "-w", "-t", "120", "-o",
                    "-p " + server.port + " -k " + dir + " -c listen_addresses=127.0.0.1", "start"));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL", e);
        }
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/postgres}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public String password() {
        return password;
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("postgres.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void asOwner(List<String> command) {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full);
    }

    private static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("failed: " + String.join(" ", command) + "\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        try {
            asOwner(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast",
                    "-w", "stop"));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // left in /tmp
            }
        }
    }
}
