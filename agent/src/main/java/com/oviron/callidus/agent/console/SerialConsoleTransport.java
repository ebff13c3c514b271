package com.oviron.callidus.agent.console;

import com.oviron.callidus.hal.SerialLine;
import com.oviron.callidus.hal.serial.JsscSerialLine;
import com.oviron.callidus.hal.serial.ReopeningSerialLine;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * The console over a serial line: in the unit, the service port's device, reopened with backoff when it
 * vanishes and comes back ({@link ReopeningSerialLine}).
 */
public final class SerialConsoleTransport implements ConsoleTransport {
    private final SerialLine line;

    public SerialConsoleTransport(SerialLine line) {
        this.line = Objects.requireNonNull(line, "line");
    }

    /**
     * A transport over the device of {@code settings}; the device is opened on first use, so this never fails
     * when the device is missing at start (the console waits for it).
     */
    public static SerialConsoleTransport open(ConsoleSettings settings) {
        return new SerialConsoleTransport(new ReopeningSerialLine(settings.serial().device(),
                () -> JsscSerialLine.open(settings.serial()), settings.reopenMin(), settings.reopenMax()));
    }

    @Override
    public int read(byte[] buffer, Duration timeout) throws IOException {
        return line.read(buffer, 0, buffer.length, timeout);
    }

    @Override
    public void write(byte[] data) throws IOException {
        line.write(data);
    }

    @Override
    public void close() {
        line.close();
    }
}
