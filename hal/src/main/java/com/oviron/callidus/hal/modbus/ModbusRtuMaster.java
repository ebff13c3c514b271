package com.oviron.callidus.hal.modbus;

import com.oviron.callidus.hal.SerialLine;
import com.oviron.callidus.hal.SerialSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A Modbus RTU master on one serial line: functions 01, 02, 03, 04 (read), 06 and 16 (write).
 *
 * <p>Every answer is checked before a value leaves this class: length, CRC, slave id, function and byte
 * count. A wrong CRC (line noise), a missing or partial answer and a malformed frame are retried up to
 * {@code retries} times; an exception response is a definite answer and is not retried. Between frames
 * the line stays silent for 3.5 character times (1.75 ms above 19200 baud, as the specification says).
 *
 * <p>Not thread-safe: one thread (the sampler) owns the master and its line.
 */
public final class ModbusRtuMaster {
    static final int READ_COILS = 1;
    static final int READ_DISCRETE_INPUTS = 2;
    static final int READ_HOLDING_REGISTERS = 3;
    static final int READ_INPUT_REGISTERS = 4;
    static final int WRITE_SINGLE_REGISTER = 6;
    static final int WRITE_MULTIPLE_REGISTERS = 16;

    /** Largest register count of one read (the specification's limit for 03/04). */
    public static final int MAX_READ_REGISTERS = 125;
    /** Largest bit count of one read (the specification's limit for 01/02). */
    public static final int MAX_READ_BITS = 2000;
    /** Largest register count of one write (function 16). */
    public static final int MAX_WRITE_REGISTERS = 123;

    private final SerialLine line;
    private final long charNanos;
    private final long silenceNanos;
    private final Duration timeout;
    private final int retries;
    private final byte[] buffer = new byte[256];
    private long lastActivityNanos = System.nanoTime();

    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong crcErrors = new AtomicLong();
    private final AtomicLong exceptionResponses = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong ioErrors = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong bytesReceived = new AtomicLong();

    /**
     * Counters since start, for diagnostics.
     *
     * @param transactions       requests answered correctly
     * @param retries            requests sent again after a bad or missing answer
     * @param timeouts           attempts without a complete answer
     * @param crcErrors          attempts whose answer had a wrong CRC
     * @param exceptionResponses exception responses from the slave
     * @param malformed          answers with a good CRC that did not fit the request
     * @param ioErrors           serial device failures
     * @param bytesSent          bytes written, CRC included
     * @param bytesReceived      bytes read
     */
    public record Stats(long transactions, long retries, long timeouts, long crcErrors, long exceptionResponses,
                        long malformed, long ioErrors, long bytesSent, long bytesReceived) {
    }

    /**
     * @param line     the serial line (owned by the caller, who closes it)
     * @param settings the line's settings, for the inter-frame silence
     * @param timeout  how long to wait for an answer once the request is on the wire
     * @param retries  attempts after the first one for a bad or missing answer (0..10)
     */
    public ModbusRtuMaster(SerialLine line, SerialSettings settings, Duration timeout, int retries) {
        if (retries < 0 || retries > 10) {
            throw new IllegalArgumentException("retries must be 0..10, got " + retries);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        this.line = line;
        this.charNanos = settings.nanosPerCharacter();
        this.silenceNanos = settings.baudRate() > 19_200 ? 1_750_000L : charNanos * 7 / 2;
        this.timeout = timeout;
        this.retries = retries;
    }

    public int[] readHoldingRegisters(int slave, int address, int count) throws ModbusException {
        return readRegisters(slave, READ_HOLDING_REGISTERS, address, count);
    }

    public int[] readInputRegisters(int slave, int address, int count) throws ModbusException {
        return readRegisters(slave, READ_INPUT_REGISTERS, address, count);
    }

    public boolean[] readCoils(int slave, int address, int count) throws ModbusException {
        return readBits(slave, READ_COILS, address, count);
    }

    public boolean[] readDiscreteInputs(int slave, int address, int count) throws ModbusException {
        return readBits(slave, READ_DISCRETE_INPUTS, address, count);
    }

    /** Function 06; the slave must echo the request. */
    public void writeSingleRegister(int slave, int address, int value) throws ModbusException {
        checkSlave(slave);
        checkRange(address, 1, 1);
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException("register value must be 0..65535, got " + value);
        }
        byte[] request = {(byte) slave, WRITE_SINGLE_REGISTER, (byte) (address >>> 8), (byte) address,
            (byte) (value >>> 8), (byte) value};
        byte[] answer = transact(request, 8);
        for (int i = 0; i < 6; i++) {
            if (answer[i] != request[i]) {
                throw malformed("write single register: the answer does not echo the request");
            }
        }
    }

    /** Function 16. */
    public void writeMultipleRegisters(int slave, int address, int[] values) throws ModbusException {
        checkSlave(slave);
        checkRange(address, values.length, MAX_WRITE_REGISTERS);
        byte[] request = new byte[7 + values.length * 2];
        request[0] = (byte) slave;
        request[1] = WRITE_MULTIPLE_REGISTERS;
        request[2] = (byte) (address >>> 8);
        request[3] = (byte) address;
        request[4] = (byte) (values.length >>> 8);
        request[5] = (byte) values.length;
        request[6] = (byte) (values.length * 2);
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] > 0xFFFF) {
                throw new IllegalArgumentException("register value must be 0..65535, got " + values[i]);
            }
            request[7 + 2 * i] = (byte) (values[i] >>> 8);
            request[8 + 2 * i] = (byte) values[i];
        }
        byte[] answer = transact(request, 8);
        for (int i = 0; i < 6; i++) {
            if (answer[i] != request[i]) {
                throw malformed("write multiple registers: the answer does not match the request");
            }
        }
    }

    private int[] readRegisters(int slave, int function, int address, int count) throws ModbusException {
        checkSlave(slave);
        checkRange(address, count, MAX_READ_REGISTERS);
        byte[] answer = transact(readRequest(slave, function, address, count), 5 + 2 * count);
        int[] registers = new int[count];
        for (int i = 0; i < count; i++) {
            registers[i] = ((answer[3 + 2 * i] & 0xFF) << 8) | (answer[4 + 2 * i] & 0xFF);
        }
        return registers;
    }

    private boolean[] readBits(int slave, int function, int address, int count) throws ModbusException {
        checkSlave(slave);
        checkRange(address, count, MAX_READ_BITS);
        int bytes = (count + 7) / 8;
        byte[] answer = transact(readRequest(slave, function, address, count), 5 + bytes);
        boolean[] bits = new boolean[count];
        for (int i = 0; i < count; i++) {
            bits[i] = (answer[3 + i / 8] & (1 << (i % 8))) != 0;
        }
        return bits;
    }

    private static byte[] readRequest(int slave, int function, int address, int count) {
        return new byte[] {(byte) slave, (byte) function, (byte) (address >>> 8), (byte) address,
            (byte) (count >>> 8), (byte) count};
    }

    private static void checkSlave(int slave) {
        if (slave < 1 || slave > 247) {
            throw new IllegalArgumentException("slave id must be 1..247, got " + slave);
        }
    }

    private static void checkRange(int address, int count, int max) {
        if (count < 1 || count > max) {
            throw new IllegalArgumentException("count must be 1.." + max + ", got " + count);
        }
        if (address < 0 || address + count - 1 > 0xFFFF) {
            throw new IllegalArgumentException("addresses " + address + ".." + (address + count - 1)
                    + " are outside 0..65535");
        }
    }

    /** Sends the request (CRC appended) and returns the checked answer of {@code expectedLength} bytes. */
    private byte[] transact(byte[] request, int expectedLength) throws ModbusException {
        byte[] frame = Crc16.append(request);
        ModbusException last = null;
        for (int attempt = 0; attempt <= retries; attempt++) {
            if (attempt > 0) {
                retried.incrementAndGet();
            }
            try {
                byte[] answer = attempt(frame, expectedLength);
                transactions.incrementAndGet();
                return answer;
            } catch (ModbusException e) {
                if (e.kind() == ModbusException.Kind.EXCEPTION_RESPONSE || e.kind() == ModbusException.Kind.IO) {
                    throw e;
                }
                last = e;
            }
        }
        throw last;
    }

    private byte[] attempt(byte[] frame, int expectedLength) throws ModbusException {
        int slave = frame[0] & 0xFF;
        int function = frame[1] & 0xFF;
        try {
            waitForSilence();
            line.discardInput();
            line.write(frame);
            bytesSent.addAndGet(frame.length);
            // the answer cannot start before the request has left the wire
            long deadline = System.nanoTime() + frame.length * charNanos + timeout.toNanos();
            int n = readUntil(0, 2, deadline);
            if (n < 2) {
                timeouts.incrementAndGet();
                throw new ModbusException(ModbusException.Kind.TIMEOUT, "no answer from slave " + slave
                        + " to function " + function + " within " + timeout.toMillis() + " ms");
            }
            boolean exception = (buffer[1] & 0xFF) == (function | 0x80) && (buffer[0] & 0xFF) == slave;
            int wanted = exception ? 5 : expectedLength;
            n = readUntil(n, wanted, deadline);
            if (n < wanted) {
                timeouts.incrementAndGet();
                throw new ModbusException(ModbusException.Kind.TIMEOUT, "partial answer from slave " + slave
                        + " to function " + function + ": " + n + " of " + wanted + " bytes");
            }
            if (!Crc16.isValid(buffer, wanted)) {
                crcErrors.incrementAndGet();
                throw new ModbusException(ModbusException.Kind.CRC, "CRC error in the answer of slave " + slave
                        + " to function " + function);
            }
            if (exception) {
                int code = buffer[2] & 0xFF;
                exceptionResponses.incrementAndGet();
                throw new ModbusException(ModbusException.Kind.EXCEPTION_RESPONSE, code, "slave " + slave
                        + " answered function " + function + " with exception " + code + " ("
                        + ModbusException.describe(code) + ")", null);
            }
            if ((buffer[0] & 0xFF) != slave || (buffer[1] & 0xFF) != function) {
                throw malformed("answer from slave " + (buffer[0] & 0xFF) + " function " + (buffer[1] & 0xFF)
                        + " to a request to slave " + slave + " function " + function);
            }
            boolean isRead = function <= READ_INPUT_REGISTERS;
            if (isRead && (buffer[2] & 0xFF) != wanted - 5) {
                throw malformed("byte count " + (buffer[2] & 0xFF) + " where " + (wanted - 5) + " was expected");
            }
            return java.util.Arrays.copyOf(buffer, wanted);
        } catch (IOException e) {
            ioErrors.incrementAndGet();
            throw new ModbusException(ModbusException.Kind.IO, 0, "serial line failed: " + e.getMessage(), e);
        } finally {
            lastActivityNanos = System.nanoTime();
        }
    }

    private int readUntil(int have, int wanted, long deadlineNanos) throws IOException {
        while (have < wanted) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                break;
            }
            int n = line.read(buffer, have, wanted - have, Duration.ofNanos(left));
            bytesReceived.addAndGet(n);
            have += n;
        }
        return have;
    }

    private void waitForSilence() {
        long until = lastActivityNanos + silenceNanos;
        long left;
        while ((left = until - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    private ModbusException malformed(String message) {
        malformed.incrementAndGet();
        return new ModbusException(ModbusException.Kind.MALFORMED, message);
    }

    public Stats stats() {
        return new Stats(transactions.get(), retried.get(), timeouts.get(), crcErrors.get(),
                exceptionResponses.get(), malformed.get(), ioErrors.get(), bytesSent.get(), bytesReceived.get());
    }
}
