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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(Files.exists(a) && Files.exists(b))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("socat did not create " + a + " and " + b + ": " + readLog());
            }
            Thread.onSpinWait();
        }
    }

    /** Removes the pair: both devices vanish. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((Files.exists(a) || Files.exists(b)) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
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
