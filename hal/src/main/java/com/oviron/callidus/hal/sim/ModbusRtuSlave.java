package com.oviron.callidus.hal.sim;

import com.oviron.callidus.hal.SerialLine;
import com.oviron.callidus.hal.SerialSettings;
import com.oviron.callidus.hal.modbus.Crc16;
import com.oviron.callidus.hal.modbus.RegisterChannel.RegisterKind;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.tinylog.Logger;

/**
 * A Modbus RTU slave on a serial line, serving a {@link RegisterBank}: functions 01, 02, 03, 04, 06, 16;
 * exception responses 01 (function), 02 (address) and 03 (value). Frames with a bad CRC or for another slave
 * are ignored, as the specification says. {@link Faults} make it misbehave on demand: no answer, slow
 * answers, corrupted CRCs, random bytes on the line. With {@code paceAtLineRate} it waits as long as the
 * request, the 3.5-character silence that ends it and the answer would take on a real wire, so a
 * pseudo-terminal behaves like a 115200-baud line.
 *
 * <p>Runs on its own thread, "modbus-slave".
 */
public final class ModbusRtuSlave implements AutoCloseable {

    /** What the slave serves. Implementations must be thread-safe (the slave thread reads them). */
    public interface RegisterBank {
        /** A register of the HOLDING or INPUT table, 0..65535; IllegalArgumentException if absent. */
        int register(RegisterKind kind, int address);

        /** A bit of the COIL or DISCRETE_INPUT table; IllegalArgumentException if absent. */
        boolean bit(RegisterKind kind, int address);

        /** Writes a holding register; IllegalArgumentException if absent or read-only. */
        void writeRegister(int address, int value);
    }

    /** Line faults switchable at run time (thread-safe). */
    public static final class Faults {
        private volatile boolean silent;
        private volatile long delayMillis;
        private volatile int crcErrorPercent;
        private volatile int noisePercent;

        /** No answers at all (board off, cable cut). */
        public void setSilent(boolean silent) {
            this.silent = silent;
        }

        /** Answer this much later than usual. */
        public void setDelayMillis(long delayMillis) {
            this.delayMillis = Math.max(0, delayMillis);
        }

        /** Percentage of answers with one bit flipped after the CRC was computed. */
        public void setCrcErrorPercent(int percent) {
            this.crcErrorPercent = clampPercent(percent);
        }

        /** Percentage of answers with random bytes inserted before, inside or after the frame. */
        public void setNoisePercent(int percent) {
            this.noisePercent = clampPercent(percent);
        }

        /** Back to a healthy line. */
        public void clear() {
            silent = false;
            delayMillis = 0;
            crcErrorPercent = 0;
            noisePercent = 0;
        }

        private static int clampPercent(int p) {
            return Math.max(0, Math.min(100, p));
        }

        @Override
        public String toString() {
            return "silent=" + silent + " delayMs=" + delayMillis + " crcErrors=" + crcErrorPercent + "% noise="
                    + noisePercent + "%";
        }
    }

    private final SerialLine line;
    private final long charNanos;
    private final long silenceNanos;
    private final int slaveId;
    private final RegisterBank bank;
    private final boolean paceAtLineRate;
    private final Faults faults = new Faults();
    private final Random random;
    private final Thread thread;
    private final byte[] buffer = new byte[512];
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong answers = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();
    private volatile boolean running = true;

    public ModbusRtuSlave(SerialLine line, SerialSettings settings, int slaveId, RegisterBank bank,
                          boolean paceAtLineRate, long seed) {
        this.line = line;
        this.charNanos = settings.nanosPerCharacter();
        this.silenceNanos = settings.baudRate() > 19_200 ? 1_750_000L : charNanos * 7 / 2;
        this.slaveId = slaveId;
        this.bank = bank;
        this.paceAtLineRate = paceAtLineRate;
        this.random = new Random(seed);
        this.thread = new Thread(this::serve, "modbus-slave");
        this.thread.setDaemon(true);
    }

    /** Starts answering. */
    public ModbusRtuSlave start() {
        thread.start();
        return this;
    }

    public Faults faults() {
        return faults;
    }

    /** Requests seen with a good CRC for this slave. */
    public long requests() {
        return requests.get();
    }

    /** Answers sent. */
    public long answers() {
        return answers.get();
    }

    /** Frames ignored (bad CRC, other slave, incomplete). */
    public long ignored() {
        return ignored.get();
    }

    private void serve() {
        while (running) {
            try {
                int n = line.read(buffer, 0, 2, Duration.ofMillis(100));
                if (n == 0) {
                    continue;
                }
                n += line.read(buffer, n, 2 - n, Duration.ofMillis(50));
                if (n < 2) {
                    ignored.incrementAndGet();
                    continue;
                }
                int length = requestLength(n);
                if (length < 0) {
                    ignored.incrementAndGet();
                    drain();
                    continue;
                }
                handle(length);
            } catch (IOException e) {
                if (running) {
                    Logger.warn("modbus slave line failed error={}", e.getMessage());
                    LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
                }
            }
        }
    }

    /** Reads the rest of the request; returns its total length, or -1 if it is incomplete or unknown. */
    private int requestLength(int have) throws IOException {
        int function = buffer[1] & 0xFF;
        int length;
        if (function >= 1 && function <= 6) {
            length = 8;
        } else if (function == 15 || function == 16) {
            if (readUpTo(have, 7) < 7) {
                return -1;
            }
            have = 7;
            length = 9 + (buffer[6] & 0xFF);
        } else {
            // unknown function: the frame ends at the first silence
            int n = have;
            int got;
            while (n < buffer.length && (got = line.read(buffer, n, buffer.length - n, Duration.ofMillis(5))) > 0) {
                n += got;
            }
            return Crc16.isValid(buffer, n) ? n : -1;
        }
        return readUpTo(have, length) < length ? -1 : length;
    }

    private int readUpTo(int have, int wanted) throws IOException {
        long deadline = System.nanoTime() + Duration.ofMillis(50).toNanos() + wanted * charNanos;
        while (have < wanted) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            have += line.read(buffer, have, wanted - have, Duration.ofNanos(left));
        }
        return have;
    }

    private void drain() throws IOException {
        while (line.read(buffer, 0, buffer.length, Duration.ofMillis(5)) > 0) {
            // throw away until the line is quiet
        }
    }

    private void handle(int length) throws IOException {
        if (!Crc16.isValid(buffer, length) || (buffer[0] & 0xFF) != slaveId) {
            ignored.incrementAndGet();
            return;
        }
        requests.incrementAndGet();
        byte[] answer = answer(Arrays.copyOf(buffer, length - 2));
        if (faults.silent) {
            return;
        }
        byte[] frame = Crc16.append(answer);
        if (faults.crcErrorPercent > 0 && random.nextInt(100) < faults.crcErrorPercent) {
            int i = random.nextInt(frame.length);
            frame[i] ^= (byte) (1 << random.nextInt(8));
        }
        if (faults.noisePercent > 0 && random.nextInt(100) < faults.noisePercent) {
            frame = withNoise(frame);
        }
        long waitNanos = faults.delayMillis * 1_000_000L;
        if (paceAtLineRate) {
            // the request's bytes, the silence that ends it, and the answer's bytes, as on a real line
            waitNanos += (length + frame.length) * charNanos + silenceNanos;
        }
        if (waitNanos > 0) {
            LockSupport.parkNanos(waitNanos);
        }
        line.write(frame);
        answers.incrementAndGet();
    }

    private byte[] withNoise(byte[] frame) {
        byte[] noise = new byte[1 + random.nextInt(4)];
        random.nextBytes(noise);
        int at = random.nextInt(frame.length + 1);
        byte[] out = new byte[frame.length + noise.length];
        System.arraycopy(frame, 0, out, 0, at);
        System.arraycopy(noise, 0, out, at, noise.length);
        System.arraycopy(frame, at, out, at + noise.length, frame.length - at);
        return out;
    }

    private byte[] answer(byte[] request) {
        int function = request[1] & 0xFF;
        try {
            return switch (function) {
                case 1 -> bits(request, RegisterKind.COIL);
                case 2 -> bits(request, RegisterKind.DISCRETE_INPUT);
                case 3 -> registers(request, RegisterKind.HOLDING);
                case 4 -> registers(request, RegisterKind.INPUT);
                case 6 -> {
                    bank.writeRegister(u16(request, 2), u16(request, 4));
                    yield request;
                }
                case 16 -> writeMultiple(request);
                default -> exception(request, 1);
            };
        } catch (IllegalArgumentException e) {
            return exception(request, 2);
        } catch (IllegalStateException e) {
            return exception(request, 3);
        }
    }

    private byte[] registers(byte[] request, RegisterKind kind) {
        int address = u16(request, 2);
        int count = u16(request, 4);
        if (count < 1 || count > 125) {
            throw new IllegalStateException("count " + count);
        }
        byte[] out = new byte[3 + 2 * count];
        out[0] = request[0];
        out[1] = request[1];
        out[2] = (byte) (2 * count);
        for (int i = 0; i < count; i++) {
            int v = bank.register(kind, address + i);
            out[3 + 2 * i] = (byte) (v >>> 8);
            out[4 + 2 * i] = (byte) v;
        }
        return out;
    }

    private byte[] bits(byte[] request, RegisterKind kind) {
        int address = u16(request, 2);
        int count = u16(request, 4);
        if (count < 1 || count > 2000) {
            throw new IllegalStateException("count " + count);
        }
        int bytes = (count + 7) / 8;
        byte[] out = new byte[3 + bytes];
        out[0] = request[0];
        out[1] = request[1];
        out[2] = (byte) bytes;
        for (int i = 0; i < count; i++) {
            if (bank.bit(kind, address + i)) {
                out[3 + i / 8] |= (byte) (1 << (i % 8));
            }
        }
        return out;
    }

    private byte[] writeMultiple(byte[] request) {
        int address = u16(request, 2);
        int count = u16(request, 4);
        if (count < 1 || count > 123 || (request[6] & 0xFF) != 2 * count || request.length != 7 + 2 * count) {
            throw new IllegalStateException("count " + count);
        }
        for (int i = 0; i < count; i++) {
            bank.writeRegister(address + i, u16(request, 7 + 2 * i));
        }
        return Arrays.copyOf(request, 6);
    }

    private static byte[] exception(byte[] request, int code) {
        return new byte[] {request[0], (byte) (request[1] | 0x80), (byte) code};
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
