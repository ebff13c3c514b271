package com.oviron.callidus.hal.serial;

import com.oviron.callidus.hal.SerialLine;
import com.oviron.callidus.hal.SerialSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import jssc.SerialPort;
import jssc.SerialPortException;

/**
 * A serial device through jssc: real UARTs, USB adapters and pseudo-terminals alike. Reading polls the
 * driver's input count (jssc's blocking read has no "up to n bytes" form) with a short park in between.
 */
public final class JsscSerialLine implements SerialLine {
    private static final long POLL_NANOS = 100_000;

    private final SerialSettings settings;
    private final SerialPort port;

    private JsscSerialLine(SerialSettings settings, SerialPort port) {
        this.settings = settings;
        this.port = port;
    }

    /** Opens and configures the device. */
    public static JsscSerialLine open(SerialSettings settings) throws IOException {
        SerialPort port = new SerialPort(settings.device());
        try {
            port.openPort();
            port.setParams(settings.baudRate(), settings.dataBits(),
                    settings.stopBits() == 2 ? SerialPort.STOPBITS_2 : SerialPort.STOPBITS_1,
                    switch (settings.parity()) {
                        case NONE -> SerialPort.PARITY_NONE;
                        case EVEN -> SerialPort.PARITY_EVEN;
                        case ODD -> SerialPort.PARITY_ODD;
                    });
            port.setFlowControlMode(SerialPort.FLOWCONTROL_NONE);
            port.purgePort(SerialPort.PURGE_RXCLEAR | SerialPort.PURGE_TXCLEAR);
            return new JsscSerialLine(settings, port);
        } catch (SerialPortException e) {
            try {
                if (port.isOpened()) {
                    port.closePort();
                }
            } catch (SerialPortException ignored) {
                // the open failure is what matters
            }
            throw new IOException("cannot open serial device " + settings.device() + ": " + e.getExceptionType(), e);
        }
    }

    @Override
    public void write(byte[] data) throws IOException {
        try {
            if (!port.writeBytes(data)) {
                throw new IOException("write to " + settings.device() + " failed");
            }
        } catch (SerialPortException e) {
            throw new IOException("write to " + settings.device() + " failed: " + e.getExceptionType(), e);
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                int available = port.getInputBufferBytesCount();
                if (available < 0) {
                    throw new IOException("serial device " + settings.device() + " is gone");
                }
                if (available > 0) {
                    byte[] got = port.readBytes(Math.min(available, length));
                    if (got == null) {
                        return 0;
                    }
                    System.arraycopy(got, 0, buffer, offset, got.length);
                    return got.length;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    // a pty whose other side went away, or some USB drivers, just go quiet: silence plus a
                    // vanished device file means the device is gone, not that the board is slow
                    if (!Files.exists(Path.of(settings.device()))) {
                        throw new IOException("serial device " + settings.device() + " vanished");
                    }
                    return 0;
                }
                LockSupport.parkNanos(Math.min(left, POLL_NANOS));
            }
        } catch (SerialPortException e) {
            throw new IOException("read from " + settings.device() + " failed: " + e.getExceptionType(), e);
        }
    }

    @Override
    public void discardInput() throws IOException {
        try {
            int available = port.getInputBufferBytesCount();
            if (available < 0) {
                throw new IOException("serial device " + settings.device() + " is gone");
            }
            if (available > 0) {
                port.readBytes(available);
            }
        } catch (SerialPortException e) {
            throw new IOException("cannot clear input of " + settings.device() + ": " + e.getExceptionType(), e);
        }
    }

    @Override
    public void close() {
        try {
            if (port.isOpened()) {
                port.closePort();
            }
        } catch (SerialPortException ignored) {
            // closing a device that vanished: nothing left to release
        }
    }
}
