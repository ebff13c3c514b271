package com.oviron.callidus.agent.console;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A console transport over in-memory pipes: the test types bytes ({@link #type}) and reads what the console
 * wrote ({@link #output}); {@link #unplug} makes every call fail like a vanished device until {@link #plugIn}.
 */
final class FakeConsoleTransport implements ConsoleTransport {
    private final BlockingQueue<byte[]> input = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final AtomicInteger failures = new AtomicInteger();
    private byte[] leftover = new byte[0];
    private volatile boolean unplugged;
    private volatile boolean closed;

    void type(String text) {
        type(text.getBytes(StandardCharsets.UTF_8));
    }

    void type(byte[] bytes) {
        input.add(bytes.clone());
    }

    /** Everything written so far, decoded as UTF-8. */
    String output() {
        synchronized (output) {
            return output.toString(StandardCharsets.UTF_8);
        }
    }

    void unplug() {
        unplugged = true;
    }

    void plugIn() {
        unplugged = false;
    }

    int failures() {
        return failures.get();
    }

    boolean closed() {
        return closed;
    }

    @Override
    public int read(byte[] buffer, Duration timeout) throws IOException {
        check();
        if (leftover.length == 0) {
            try {
                byte[] next = input.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
                if (next == null) {
                    return 0;
                }
                leftover = next;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }
        int n = Math.min(buffer.length, leftover.length);
        System.arraycopy(leftover, 0, buffer, 0, n);
        leftover = Arrays.copyOfRange(leftover, n, leftover.length);
        return n;
    }

    @Override
    public void write(byte[] data) throws IOException {
        check();
        synchronized (output) {
            output.writeBytes(data);
        }
    }

    private void check() throws IOException {
        if (closed) {
            throw new IOException("closed");
        }
        if (unplugged) {
            failures.incrementAndGet();
            throw new IOException("device unplugged");
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
