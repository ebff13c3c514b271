package com.oviron.callidus.hal.testing;

import com.oviron.callidus.hal.SerialLine;
import com.oviron.callidus.hal.SerialSettings;
import com.oviron.callidus.hal.serial.JsscSerialLine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A person's terminal on one end of a serial line (in tests: a socat pseudo-terminal pair whose other end a
 * console uses): types byte by byte as a terminal does, pastes, and reads what comes back until a pattern.
 */
public final class SerialTerminal implements AutoCloseable {
    private final SerialLine line;
    private final StringBuilder seen = new StringBuilder();
    private final Duration wait;

    public SerialTerminal(Path device, Duration wait) throws IOException {
        this.line = JsscSerialLine.open(SerialSettings.of(device.toString(), 115_200));
        this.wait = wait;
    }

    /** Everything read so far. */
    public String seen() {
        return seen.toString();
    }

    public int mark() {
        return seen.length();
    }

    /** Types {@code text} one byte per write, as a person at a terminal does. */
    public void type(String text) throws IOException {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            line.write(new byte[] {b});
        }
    }

    /** Types a long text (a pasted token) in one write, as a terminal's paste does. */
    public void paste(String text) throws IOException {
        line.write(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Presses Enter until the console answers with a prompt ending in {@code promptEnd}: what the console wrote
     * before this end was opened is gone, and the console opens its end in its own time.
     */
    public void awaitPrompt(String promptEnd) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            int mark = mark();
            type("\r");
            try {
                readUntil(mark, Pattern.quote(promptEnd) + "\\z", Duration.ofSeconds(1));
                return;
            } catch (AssertionError notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
            }
        }
    }

    /** Reads until {@code pattern} is found in what arrived after {@code from}; returns that part. */
    public String readUntil(int from, String pattern) throws IOException {
        return readUntil(from, pattern, wait);
    }

    public String readUntil(int from, String pattern, Duration timeout) throws IOException {
        Pattern p = Pattern.compile(pattern);
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buffer = new byte[4096];
        while (!p.matcher(seen.substring(from)).find()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for /" + pattern + "/; got: " + seen.substring(from));
            }
            int n = line.read(buffer, 0, buffer.length, Duration.ofMillis(200));
            seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        return seen.substring(from);
    }

    /** Types a line and returns what the console printed until the prompt ending in {@code promptEnd}. */
    public String run(String line, String promptEnd) throws IOException {
        int mark = mark();
        type(line + "\r");
        return readUntil(mark, Pattern.quote(promptEnd) + "\\z");
    }

    @Override
    public void close() {
        line.close();
    }
}
