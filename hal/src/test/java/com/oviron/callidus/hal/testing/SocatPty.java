package com.oviron.callidus.hal.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A pair of connected pseudo-terminals made by Debian's socat, like two serial ports joined by a null-modem
 * cable: {@link #a()} and {@link #b()} are stable symlinks to the pty devices. {@link #stop()} makes both
 * devices vanish (an unplugged USB adapter); {@link #start()} makes them appear again under the same names.
 */
public final class SocatPty implements AutoCloseable {
    /** How long socat may take to create or remove the devices; a loaded build machine can take seconds. */
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(60);
    private final Path a;
    private final Path b;
    private final Path log;
    private Process process;

    public SocatPty(Path dir) {
        this.a = dir.resolve("ttyA");
        this.b = dir.resolve("ttyB");
        this.log = dir.resolve("socat.log");
        start();
    }

    public Path a() {
        return a;
    }

    public Path b() {
        return b;
    }

    /** Creates the pair (again). */
    public synchronized void start() {
        if (process != null) {
            return;
        }
        try {
            process = new ProcessBuilder("socat", "-d", "-d",
                    "pty,raw,echo=0,link=" + a, "pty,raw,echo=0,link=" + b)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start socat (install Debian's socat; tools/test does it)", e);
        }
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!(Files.exists(a) && Files.exists(b))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("socat did not create " + a + " and " + b + ": " + readLog());
            }
            pause();
        }
    }

    /** Removes the pair: both devices vanish. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(WAIT_NANOS, TimeUnit.NANOSECONDS)) {
                process.destroyForcibly().waitFor(WAIT_NANOS, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
        // socat removes its links as it exits; a start() that still saw them would take them for the new pair
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (Files.exists(a) || Files.exists(b)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("socat did not remove " + a + " and " + b + ": " + readLog());
            }
            pause();
        }
    }

    /** A short pause between two looks at the file system: a spinning thread would take the CPU socat needs. */
    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for socat", e);
        }
    }

    private String readLog() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        stop();
    }
}
