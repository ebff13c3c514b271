package com.oviron.callidus.hal.fake;

import com.oviron.callidus.hal.SerialLine;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Two serial lines connected back to back in memory, like a null-modem cable: what one end writes, the
 * other reads. For unit tests of the Modbus master against the slave without a pseudo-terminal.
 */
public final class SerialPipe {
    private final LinkedBlockingQueue<Byte> aToB = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<Byte> bToA = new LinkedBlockingQueue<>();
    private final End a = new End(bToA, aToB);
    private final End b = new End(aToB, bToA);

    /** One end (for the master). */
    public SerialLine a() {
        return a;
    }

    /** The other end (for the slave). */
    public SerialLine b() {
        return b;
    }

    private static final class End implements SerialLine {
        private final LinkedBlockingQueue<Byte> in;
        private final LinkedBlockingQueue<Byte> out;
        private volatile boolean closed;

        End(LinkedBlockingQueue<Byte> in, LinkedBlockingQueue<Byte> out) {
            this.in = in;
            this.out = out;
        }

        @Override
        public void write(byte[] data) throws IOException {
            if (closed) {
                throw new IOException("pipe end closed");
            }
            for (byte x : data) {
                out.add(x);
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length, Duration timeout) throws IOException {
            if (closed) {
                throw new IOException("pipe end closed");
            }
            try {
                Byte first = in.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
                if (first == null) {
                    return 0;
                }
                buffer[offset] = first;
                int n = 1;
                Byte next;
                while (n < length && (next = in.poll()) != null) {
                    buffer[offset + n++] = next;
                }
                return n;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }

        @Override
        public void discardInput() {
            in.clear();
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
