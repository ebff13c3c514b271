package com.oviron.callidus.hal.fake;

import com.oviron.callidus.hal.SerialLine;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A serial line whose far end answers every write with the next scripted byte string (or nothing, when the
 * script is empty), at once. For tests and fuzzing of the master's answer checks; single-threaded.
 */
public final class ScriptedSerialLine implements SerialLine {
    private final ArrayDeque<byte[]> answers = new ArrayDeque<>();
    private final ArrayDeque<Byte> input = new ArrayDeque<>();
    private final List<byte[]> written = new ArrayList<>();
    private boolean failing;

    /** Queues the bytes the far end sends after the next write. */
    public ScriptedSerialLine answer(byte[] bytes) {
        answers.add(bytes.clone());
        return this;
    }

    /** From now on every operation throws IOException, as an unplugged adapter does. */
    public void unplug() {
        failing = true;
    }

    /** Every frame written so far. */
    public List<byte[]> written() {
        return List.copyOf(written);
    }

    @Override
    public void write(byte[] data) throws IOException {
        check();
        written.add(data.clone());
        byte[] next = answers.poll();
        if (next != null) {
            for (byte b : next) {
                input.add(b);
            }
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length, Duration timeout) throws IOException {
        check();
        int n = 0;
        while (n < length && !input.isEmpty()) {
            buffer[offset + n++] = input.poll();
        }
        return n;
    }

    @Override
    public void discardInput() throws IOException {
        check();
        input.clear();
    }

    private void check() throws IOException {
        if (failing) {
            throw new IOException("device unplugged");
        }
    }

    @Override
    public void close() {
        input.clear();
    }
}
