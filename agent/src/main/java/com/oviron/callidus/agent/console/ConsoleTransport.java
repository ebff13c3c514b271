package com.oviron.callidus.agent.console;

import java.io.IOException;
import java.time.Duration;

/**
 * The byte pipe the field console talks over: a serial port in the unit ({@link SerialConsoleTransport}), or
 * in-memory pipes in tests. Used by one thread only (the console's).
 *
 * <p>An {@link IOException} means the device is not there now (unplugged adapter); the console waits a moment
 * and calls again, and an implementation that can reopen the device does so then.
 */
public interface ConsoleTransport extends AutoCloseable {

    /**
     * Reads what has arrived, waiting up to {@code timeout} for the first byte.
     *
     * @return the number of bytes read into the start of {@code buffer}, 0 when nothing arrived in time
     */
    int read(byte[] buffer, Duration timeout) throws IOException;

    /** Writes all bytes. */
    void write(byte[] data) throws IOException;

    @Override
    void close();
}
