package com.oviron.callidus.tools.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as a newcomer runs it: it must show the outage, every cloud step and board faults, and end with
 * nothing missing. A run is not given a fixed time (which a loaded machine may need more of): the test
 * watches the output and types "quit" once what it waits for has been shown.
 */
class DemoCommandIT {
    /** Deadline for what a demo run must show; an idle machine needs well under a minute. */
    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final Pattern WAITING_WHILE_DOWN = Pattern.compile("broker DOWN .*waiting in buffer (\\d+)");
    private static final Pattern WAITING_WHILE_UP = Pattern.compile("broker UP .*waiting in buffer (\\d+)");

    @TempDir
    Path dir;

    /** A demo on its own thread, with its output as the test reads it and its input as the test types it. */
    private static final class DemoRun {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final PipedOutputStream keyboard = new PipedOutputStream();
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();

        DemoRun(String... args) throws IOException {
            InputStream typed = new PipedInputStream(keyboard);
            Thread t = new Thread(() -> exit.complete(DemoCommand.run(args, typed,
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8))), "demo-under-test");
            t.setDaemon(true);
            t.start();
        }

        String text() {
            return out.toString(StandardCharsets.UTF_8);
        }

        void awaitOutput(String what, Predicate<String> shown) {
            Await.until(() -> what + "; the demo printed:\n" + text() + err.toString(StandardCharsets.UTF_8), WAIT,
                    () -> shown.test(text()) || exit.isDone());
            assertTrue(shown.test(text()), () -> what + ", but the demo ended:\n" + text()
                    + err.toString(StandardCharsets.UTF_8));
        }

        void type(String line) throws IOException {
            keyboard.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            keyboard.flush();
        }

        /** Types "quit" and returns the demo's exit code once it has printed its summary. */
        int quit() throws Exception {
            type("quit");
            return exit.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        String errors() {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    /** The number in the last match of {@code pattern} after {@code from}, or -1. */
    private static long lastNumber(Pattern pattern, String text, int from) {
        Matcher m = pattern.matcher(text);
        long last = -1;
        while (from >= 0 && m.find(from)) {
            last = Long.parseLong(m.group(1));
            from = m.end();
        }
        return last;
    }

    @Test
    void shows_live_values_and_a_broker_outage_with_nothing_missing() throws Exception {
        DemoRun demo = new DemoRun("--outage-at", "5s", "--outage-for", "6s", "--refresh", "1s",
                "--sample-period", "50ms", "--data-dir", dir.toString());
        // the report page is the operator's last step (the 11th)
        demo.awaitOutput("every cloud step done", t -> t.contains("arrived as a file of kind report"));
        demo.awaitOutput("the outage over and its backlog delivered", t -> {
            int back = t.indexOf(">>> demo: starting the broker again");
            long waiting = lastNumber(WAITING_WHILE_UP, t, back);
            return back >= 0 && waiting >= 0 && waiting < 500;
        });
        int code = demo.quit();
        String text = demo.text();
        assertEquals(0, code, text + demo.errors());

        assertTrue(text.contains("Supply voltage"), "live values per channel:\n" + text);
        assertTrue(text.contains(" bar"), "units from the channel catalog:\n" + text);
        assertTrue(text.contains("broker DOWN"), "outage shown:\n" + text);
        assertTrue(text.contains("11 of 11 steps done"), "every cloud step:\n" + text);
        assertTrue(text.contains("alarm A123 \"Main air pressure falling fast\" arrived on the events topic"), text);
        assertTrue(text.contains("remedy: Check the compressor and its power"), text);
        assertTrue(text.contains("the technician acknowledged alarm"), text);
        assertTrue(Pattern.compile("self-test passed: 8 checks, signed by unit key [0-9a-f]{16} and verified by the"
                + " cloud from the public key in the channel catalog").matcher(text).find(), text);
        assertTrue(Pattern.compile("report.get \\(format html, last hour\\): report-CAL-DEMO-0001-\\S+\\.html"
                + " \\(\\d+ KB, 9 SVG charts, the alarm on its timeline\\) arrived as a file").matcher(text).find(), text);
        assertTrue(text.contains("three-way merge kept both"), text);
        assertTrue(text.contains("installed as ui/display/logo.png (same bytes)"), text);
        assertTrue(text.contains(">>> demo: quit"), text);
        assertTrue(text.contains("result: OK"), text);

        Matcher accepted = Pattern.compile("readings accepted by the agent : (\\d+)").matcher(text);
        Matcher received = Pattern.compile("readings received by the cloud : (\\d+) distinct in \\d+ batches, 0 missing")
                .matcher(text);
        assertTrue(accepted.find() && received.find(), text);
        long n = Long.parseLong(accepted.group(1));
        assertEquals(n, Long.parseLong(received.group(1)));
        assertTrue(n > 0, "the agent accepted readings:\n" + text);

        // during the outage readings piled up in the buffer
        assertTrue(lastNumber(WAITING_WHILE_DOWN, text, 0) > 0,
                "buffer should fill while the broker is down:\n" + text);
        assertTrue(Files.exists(dir.resolve("agent.db")));
    }

    @Test
    void runs_the_agent_over_modbus_through_a_real_pty_and_shows_board_faults() throws Exception {
        // a scheduled fault that stays on, and one typed once the first has shown: each is seen whatever the
        // machine's speed (a fault switched off on a schedule may come and go between two prints)
        DemoRun demo = new DemoRun("--serial", "--refresh", "1s", "--fault", "1s=over-voltage on",
                "--data-dir", dir.toString());
        demo.awaitOutput("over-voltage shown as out of range",
                t -> Pattern.compile("Supply voltage +3\\d\\.\\d\\d V +!").matcher(t).find());
        demo.type("silent on");
        demo.awaitOutput("a silent board shown as stale",
                t -> Pattern.compile("Water pressure +\\d\\.\\d\\d bar ?\\?").matcher(t).find());
        demo.type("clear");
        demo.awaitOutput("the board's answer to clear", t -> t.contains("over-voltage=off"));
        int code = demo.quit();
        String text = demo.text();
        assertEquals(0, code, text + demo.errors());
        assertTrue(text.contains("socat pty pair"), text);
        assertTrue(text.contains(">>> demo: board fault 'over-voltage on': ok"), text);
        assertTrue(text.contains("board (Modbus slave): requests="), text);
        assertTrue(text.contains("result: OK"), text);
    }

    @Test
    void rejects_bad_options_with_a_message() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = DemoCommand.run(new String[] {"--duration", "soon"}, InputStream.nullInputStream(), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--duration needs a duration"));
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        assertEquals(2, DemoCommand.run(new String[] {"--fault", "3s=noise 5"}, InputStream.nullInputStream(), System.out,
                new PrintStream(err2, true, StandardCharsets.UTF_8)));
        assertTrue(err2.toString(StandardCharsets.UTF_8).contains("--fault needs --serial"));
    }
}
