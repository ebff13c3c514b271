package com.oviron.callidus.tools.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo as a newcomer runs it, shortened: it must show the outage and end with nothing missing. */
class DemoCommandIT {
    @TempDir
    Path dir;

    @Test
    void shows_live_values_and_a_broker_outage_with_nothing_missing() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = DemoCommand.run(new String[] {"--duration", "30s", "--outage-at", "5s", "--outage-for", "6s",
            "--refresh", "1s", "--sample-period", "50ms", "--data-dir", dir.toString()}, InputStream.nullInputStream(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text + err.toString(StandardCharsets.UTF_8));

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
        assertTrue(text.contains("result: OK"), text);

        Matcher accepted = Pattern.compile("readings accepted by the agent : (\\d+)").matcher(text);
        Matcher received = Pattern.compile("readings received by the cloud : (\\d+) distinct in \\d+ batches, 0 missing")
                .matcher(text);
        assertTrue(accepted.find() && received.find(), text);
        long n = Long.parseLong(accepted.group(1));
        assertEquals(n, Long.parseLong(received.group(1)));
        assertTrue(n > 20 * 9, "about 20 s of 9 channels at 20 Hz, got " + n);

        // during the outage readings piled up in the buffer
        Matcher waiting = Pattern.compile("broker DOWN .*waiting in buffer (\\d+)").matcher(text);
        long maxWaiting = 0;
        while (waiting.find()) {
            maxWaiting = Math.max(maxWaiting, Long.parseLong(waiting.group(1)));
        }
        assertTrue(maxWaiting > 100, "buffer should fill while the broker is down:\n" + text);
        assertTrue(Files.exists(dir.resolve("agent.db")));
    }

    @Test
    void runs_the_agent_over_modbus_through_a_real_pty_and_shows_board_faults() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = DemoCommand.run(new String[] {"--serial", "--duration", "12s", "--refresh", "1s",
            "--fault", "3s=over-voltage on", "--fault", "6s=silent on", "--fault", "8s=clear",
            "--data-dir", dir.toString()}, InputStream.nullInputStream(),
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        assertTrue(text.contains("socat pty pair"), text);
        assertTrue(text.contains("board (Modbus slave): requests="), text);
        assertTrue(Pattern.compile("Supply voltage +3\\d\\.\\d\\d V +!").matcher(text).find(),
                "over-voltage shown as out of range:\n" + text);
        assertTrue(Pattern.compile("Water pressure +\\d\\.\\d\\d bar ?\\?").matcher(text).find(),
                "a silent board shown as stale:\n" + text);
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
