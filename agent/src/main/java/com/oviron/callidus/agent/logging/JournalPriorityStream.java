package com.oviron.callidus.agent.logging;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Puts a syslog priority prefix such as {@code <3>} before every line written through it, so that journald
 * files the agent's standard-error messages (configuration errors, "cannot start") as errors.
 */
public final class JournalPriorityStream extends FilterOutputStream {
    private final byte[] prefix;
    private boolean atLineStart = true;

    public JournalPriorityStream(OutputStream out, int priority) {
        super(out);
        if (priority < 0 || priority > 7) {
            throw new IllegalArgumentException("syslog priority is 0..7, got " + priority);
        }
        this.prefix = ("<" + priority + ">").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Override
    public synchronized void write(int b) throws IOException {
        if (atLineStart) {
            out.write(prefix);
            atLineStart = false;
        }
        out.write(b);
        if (b == '\n') {
            atLineStart = true;
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }
}
