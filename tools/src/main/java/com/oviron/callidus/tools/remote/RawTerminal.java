package com.oviron.callidus.tools.remote;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The engineer's terminal in raw mode for a remote console (keys go to the unit at once, the unit echoes),
 * through {@code stty} on {@code /dev/tty} (a process, no native code), and back to what it was on
 * {@link #close()}, also when the tool is stopped.
 */
final class RawTerminal implements AutoCloseable {
    private static final File TTY = new File("/dev/tty");
    private final String saved;
    private final Thread restoreOnExit;
    private boolean closed;

    private RawTerminal(String saved) {
        this.saved = saved;
        this.restoreOnExit = new Thread(this::restore, "remote-console-tty");
        Runtime.getRuntime().addShutdownHook(restoreOnExit);
    }

    /** Raw mode, when there is a terminal; empty when not (input from a pipe or a file). */
    static Optional<RawTerminal> enter() throws IOException {
        if (!TTY.exists() || System.console() == null) {
            return Optional.empty();
        }
        String saved = stty("-g").strip();
        stty("raw", "-echo");
        return Optional.of(new RawTerminal(saved));
    }

    private static String stty(String... args) throws IOException {
        String[] command = new String[args.length + 1];
        command[0] = "stty";
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).redirectInput(TTY).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("stty " + String.join(" ", args) + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        return out;
    }

    private synchronized void restore() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stty(saved);
        } catch (IOException e) {
            System.err.println("could not restore the terminal (type: stty sane): " + e.getMessage());
        }
    }

    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(restoreOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }
}
