package com.oviron.callidus.agent.console;

import com.oviron.callidus.cloud.console.RemoteConsoleStream;
import java.io.IOException;
import java.time.Duration;

/** The console over a remote console session's byte stream; it fails for good once the session has ended. */
final class RemoteConsoleTransport implements ConsoleTransport {
    private final RemoteConsoleStream stream;

    RemoteConsoleTransport(RemoteConsoleStream stream) {
        this.stream = stream;
    }

    @Override
    public int read(byte[] buffer, Duration timeout) throws IOException {
        return stream.read(buffer, timeout);
    }

    @Override
    public void write(byte[] data) throws IOException {
        stream.write(data);
    }

    @Override
    public void close() {
        stream.end("closed");
    }
}
