package com.oviron.callidus.hal.serial;

import com.oviron.callidus.hal.SerialLine;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.tinylog.Logger;

/**
 * A serial line that survives its device disappearing (USB adapter unplugged) and coming back: on an I/O
 * error it closes the device and, on a later call, opens it again, waiting longer between attempts
 * (doubling from {@code minWait} to {@code maxWait}). While the device is away every call fails fast with
 * an IOException, so a sample fails at once (counted by the agent) instead of blocking.
 */
public final class ReopeningSerialLine implements SerialLine {

    /** Opens the device; {@link JsscSerialLine#open} in production. */
    @FunctionalInterface
    public interface Opener {
        SerialLine open() throws IOException;
    }

    private final String name;
    private final Opener opener;
    private final long minWaitNanos;
    private final long maxWaitNanos;
    private SerialLine current;
    private long waitNanos;
    private long nextAttemptNanos = System.nanoTime();
    private final AtomicLong reopens = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private boolean closed;

    public ReopeningSerialLine(String name, Opener opener, Duration minWait, Duration maxWait) {
        this.name = name;
        this.opener = opener;
        this.minWaitNanos = minWait.toNanos();
        this.maxWaitNanos = Math.max(minWait.toNanos(), maxWait.toNanos());
        this.waitNanos = minWaitNanos;
    }

    private SerialLine line() throws IOException {
        if (closed) {
            throw new IOException("serial line " + name + " is closed");
        }
        if (current != null) {
            return current;
        }
        if (System.nanoTime() - nextAttemptNanos < 0) {
            throw new IOException("serial device " + name + " unavailable; next attempt in "
                    + (nextAttemptNanos - System.nanoTime()) / 1_000_000 + " ms");
        }
        try {
            current = opener.open();
            if (reopens.getAndIncrement() > 0 || failures.get() > 0) {
                Logger.info("serial device open again device={} afterFailures={}", name, failures.get());
            }
            waitNanos = minWaitNanos;
            return current;
        } catch (IOException e) {
            failed(e);
            throw e;
        }
    }

    private void failed(IOException e) {
        long n = failures.incrementAndGet();
        if (current != null) {
            current.close();
            current = null;
            Logger.warn("serial device lost device={} error={}", name, e.getMessage());
        } else if (n == 1 || Long.bitCount(n) == 1) {
            Logger.warn("serial device cannot be opened device={} attempts={} error={}", name, n, e.getMessage());
        }
        nextAttemptNanos = System.nanoTime() + waitNanos;
        waitNanos = Math.min(maxWaitNanos, waitNanos * 2);
    }

    @Override
    public void write(byte[] data) throws IOException {
        SerialLine line = line();
        try {
            line.write(data);
        } catch (IOException e) {
            failed(e);
            throw e;
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length, Duration timeout) throws IOException {
        SerialLine line = line();
        try {
            return line.read(buffer, offset, length, timeout);
        } catch (IOException e) {
            failed(e);
            throw e;
        }
    }

    @Override
    public void discardInput() throws IOException {
        SerialLine line = line();
        try {
            line.discardInput();
        } catch (IOException e) {
            failed(e);
            throw e;
        }
    }

    /** Whether the device is open now. */
    public boolean isOpen() {
        return current != null;
    }

    /** I/O failures (open or transfer) since start. */
    public long failures() {
        return failures.get();
    }

    @Override
    public void close() {
        closed = true;
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
