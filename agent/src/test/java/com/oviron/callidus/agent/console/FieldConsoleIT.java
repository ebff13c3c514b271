package com.oviron.callidus.agent.console;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.oviron.callidus.hal.SerialLine;
import com.oviron.callidus.hal.SerialSettings;
import com.oviron.callidus.hal.serial.JsscSerialLine;
import com.oviron.callidus.hal.testing.SocatPty;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console on one end of a real pseudo-terminal pair (socat) through jssc, as on the unit's service port;
 * the test is the technician's terminal on the other end.
 */
class FieldConsoleIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private SocatPty pty;
    private ConsoleFixture fixture;
    private FieldConsole console;
    private SerialLine terminal;
    private final StringBuilder seen = new StringBuilder();

    @BeforeEach
    void start() throws IOException {
        pty = new SocatPty(dir);
        fixture = new ConsoleFixture(dir);
        fixture.channel.register("status.get", c -> {
            JsonObject r = new JsonObject();
            r.addProperty("device", ConsoleFixture.SERIAL);
            r.addProperty("connected", false);
            return r;
        });
        console = FieldConsole.open(new ConsoleSettings(SerialSettings.of(pty.a().toString(), 115_200),
                Duration.ofMillis(100), Duration.ofMillis(400)), fixture.channel, fixture.consoleAccess(),
                () -> Optional.of("[subscription] reminder for the IT"), fixture.clock);
        console.start();
        terminal = JsscSerialLine.open(SerialSettings.of(pty.b().toString(), 115_200));
        // opening this end clears what the console may have written before it: an empty line asks for a prompt
        // (and is the technician's first line, so the login notice comes with it)
        awaitPrompt();
    }

    @AfterEach
    void stop() throws InterruptedException {
        console.close();
        if (terminal != null) {
            terminal.close();
        }
        fixture.close();
        pty.close();
    }

    /**
     * Presses Enter until the console answers with a prompt: what the console wrote before this end was
     * opened is gone (opening clears it), and after the device came back the console reopens it in its own time.
     */
    private void awaitPrompt() throws IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        byte[] buffer = new byte[4096];
        while (true) {
            int mark = seen.length();
            type("\r");
            long roundEnd = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < roundEnd) {
                int n = terminal.read(buffer, 0, buffer.length, Duration.ofMillis(100));
                seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                if (seen.substring(mark).endsWith("CAL-000123> ")) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no prompt; got: " + seen);
            }
        }
    }

    private void type(String text) throws IOException {
        terminal.write(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads from the terminal until {@code pattern} is found in what arrived after {@code from}. */
    private String readUntil(int from, String pattern) throws IOException {
        Pattern p = Pattern.compile(pattern);
        long deadline = System.nanoTime() + WAIT.toNanos();
        byte[] buffer = new byte[4096];
        while (!p.matcher(seen.substring(from)).find()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for /" + pattern + "/; got: " + seen.substring(from));
            }
            int n = terminal.read(buffer, 0, buffer.length, Duration.ofMillis(200));
            seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        return seen.substring(from);
    }

    @Test
    void status_and_a_refused_token_over_a_pseudo_terminal() throws IOException {
        int mark = seen.length();
        type("status\r");
        String out = readUntil(mark, "connected +: false\r\nCAL-000123> $");
        assertTrue(out.contains("status\r\n"), out);
        assertTrue(seen.toString().contains("[subscription] reminder for the IT\r\n"), seen.toString());
        assertTrue(Pattern.compile("device +: CAL-000123\r\n").matcher(out).find(), out);

        mark = seen.length();
        type("token not.a-token\r");
        out = readUntil(mark, "unchanged\r\nCAL-000123> $");
        assertTrue(out.contains("token refused: malformed: "), out);
        assertTrue(fixture.subscription.status().token().isEmpty());
    }

    @Test
    void answers_again_after_the_device_vanished_and_came_back() throws IOException {
        int mark = seen.length();
        type("status\r");
        readUntil(mark, "connected +: false\r\nCAL-000123> $");

        terminal.close();
        terminal = null;
        pty.stop();
        pty.start();
        terminal = JsscSerialLine.open(SerialSettings.of(pty.b().toString(), 115_200));
        awaitPrompt();
        mark = seen.length();
        type("status\r");
        String out = readUntil(mark, "connected +: false\r\nCAL-000123> $");
        assertTrue(Pattern.compile("device +: CAL-000123").matcher(out).find(), out);
    }
}
