package com.oviron.callidus.hal;

import java.io.IOException;
import java.time.Duration;

/**
 * A byte pipe to a serial device, as the Modbus master needs it. Implementations: {@code hal.serial}
 * (jssc, real devices and pseudo-terminals) and in-memory pipes in tests.
 *
 * <p>Not thread-safe: one master owns it.
 */
public interface SerialLine extends AutoCloseable {

    /** Writes all bytes (returns when they are handed to the driver). */
    void write(byte[] data) throws IOException;

    /**
     * Reads what has arrived, waiting up to {@code timeout} for the first byte.
     *
     * @return the number of bytes read, 0 when nothing arrived in time
     */
    int read(byte[] buffer, int offset, int length, Duration timeout) throws IOException;

    /** Throws away whatever has arrived and was not read yet. */
    void discardInput() throws IOException;

    @Override
    void close();
}
