package com.oviron.callidus.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.oviron.callidus.agent.alarms.AlarmBook;
import com.oviron.callidus.agent.alarms.AlarmCommands;
import com.oviron.callidus.agent.alarms.AlarmRule;
import com.oviron.callidus.agent.diagnostics.CatalogCommand;
import com.oviron.callidus.agent.diagnostics.ChannelInfo;
import com.oviron.callidus.agent.diagnostics.DiagnosticsSettings;
import com.oviron.callidus.agent.diagnostics.ErrorCatalog;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.store.fake.InMemoryDiagnosticsStore;
import com.oviron.callidus.store.fake.InMemoryTelemetryOutbox;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's diagnostics words against the real alarm and catalog commands. */
class ConsoleDiagnosticsWordsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** A prompt, logged in or not. */
    private static final java.util.regex.Pattern ANY_PROMPT =
            java.util.regex.Pattern.compile("\r\nCAL-000123( \\[[^\\]\r\n]*\\])?> ");
    private static final List<ChannelInfo> CHANNELS = DiagnosticsSettings.channelsOf(Optional.empty());

    @TempDir
    Path dir;
    private ConsoleFixture fixture;
    private final FakeConsoleTransport transport = new FakeConsoleTransport();
    private final AtomicReference<JsonObject> reportArgs = new AtomicReference<>();
    private AlarmBook book;
    private FieldConsole console;

    @BeforeEach
    void start() {
        fixture = new ConsoleFixture(dir);
        book = new AlarmBook(new InMemoryDiagnosticsStore(), new InMemoryTelemetryOutbox(), ErrorCatalog.shipped(),
                CHANNELS, fixture.clock);
        new AlarmCommands(book, ErrorCatalog.shipped(), CHANNELS).registerOn(fixture.channel);
        new CatalogCommand(ErrorCatalog.shipped()).registerOn(fixture.channel);
        fixture.channel.register("report.get", c -> {
            reportArgs.set(c.args());
            JsonObject r = new JsonObject();
            r.addProperty("path", "/var/lib/callidus/reports/report-x.html");
            r.addProperty("size", 12345);
            r.addProperty("sha256", "ab12");
            r.addProperty("exportedTo", "/media/usb/report-x.html");
            return r;
        });
        console = new FieldConsole(transport, fixture.channel, fixture.consoleAccess(), Optional::empty, fixture.clock,
                Duration.ofMillis(20), WAIT, false, FieldConsole.GREETING);
        console.start();
        Await.until("the prompt", WAIT, () -> ANY_PROMPT.matcher(transport.output()).find());
    }

    @AfterEach
    void stop() {
        console.close();
        fixture.close();
    }

    private String run(String text) {
        int mark = transport.output().length();
        transport.type(text);
        Await.until(() -> "a prompt after " + text + ": " + transport.output().substring(mark), WAIT,
                () -> ANY_PROMPT.matcher(transport.output().substring(mark)).find());
        String out = transport.output().substring(mark);
        java.util.regex.Matcher m = ANY_PROMPT.matcher(out);
        m.find();
        return out.substring(0, m.start() + 2);
    }

    /** Logs in with a service technician's token (acknowledging an alarm changes the unit: it needs a login). */
    private void loginAsService() {
        int mark = transport.output().length();
        transport.type("login\r");
        Await.until("the login question", WAIT, () -> transport.output().indexOf("PIN or technician token: ", mark) >= 0);
        String out = run(fixture.technician("T-4711", com.oviron.callidus.agent.access.Role.SERVICE, 8) + "\r");
        assertTrue(out.contains("logged in as T-4711"), out);
    }

    @Test
    void alarms_shows_each_open_alarm_with_its_code_text_and_remedy_and_ack_acknowledges_it() {
        assertTrue(run("alarms\r").contains("no open alarms"));
        book.raised(new AlarmRule.Threshold("main_air_pressure.low", "A121", "main_air_pressure", AlarmRule.Side.BELOW,
                4.0, 0.3, Duration.ofSeconds(10)), Instant.parse("2026-12-11T07:55:00Z"), 1.9, 4.0);
        String out = run("alarms\r");
        assertTrue(out.contains("A121") && out.contains("active") && out.contains("2026-12-11 07:55")
                && out.contains("Main air pressure too low (main_air_pressure)"), out);
        assertTrue(out.contains("A121 remedy: Check that the compressor runs"), out);
        String refused = run("ack 1\r");
        assertTrue(refused.contains("login_needed") && refused.contains("log in first"), refused);
        loginAsService();
        String acked = run("ack 1\r");
        assertTrue(acked.contains("acknowledged: 1 A121") && acked.contains("1 alarm(s) still open"), acked);
        assertTrue(book.open().get(0).acknowledged());
        assertEquals("console", book.open().get(0).ackBy());
        assertTrue(run("ack 7\r").contains("refused (invalid_argument): args.id: no open alarm 7"));
        assertTrue(run("ack x\r").contains("usage: ack <id|all>"));
        assertTrue(run("ack all\r").contains("nothing to acknowledge"));
    }

    @Test
    void code_explains_an_error_code_in_english_and_bulgarian() {
        String out = run("code a010\r");
        assertTrue(out.contains("A010 [en] No communication with the main board"), out);
        assertTrue(out.contains("A010 [bg] Няма връзка с главната платка"), out);
        assertTrue(out.contains("> Check the main board's power LED"), out);
        assertTrue(run("code Z999\r").contains("refused (invalid_argument): args.code: no code Z999"));
    }

    @Test
    void report_with_two_dates_saves_a_page_for_the_usb_stick() {
        String out = run("report 2026-11-01 2026-12-01T06:30\r");
        JsonObject args = reportArgs.get();
        assertEquals(Instant.parse("2026-11-01T00:00:00Z").toEpochMilli(), args.get("from").getAsLong());
        assertEquals(Instant.parse("2026-12-01T06:30:00Z").toEpochMilli(), args.get("to").getAsLong());
        assertEquals("html", args.get("format").getAsString());
        assertEquals("file", args.get("deliver").getAsString());
        assertTrue(out.contains("report page saved: /var/lib/callidus/reports/report-x.html (12345 bytes"), out);
        assertTrue(out.contains("copied to /media/usb/report-x.html"), out);
        assertTrue(run("report 2026-11-01 tomorrow\r").contains("usage: report <from> <to>"));
    }

    @Test
    void help_lists_the_diagnostics_words() {
        String out = run("help\r");
        for (String word : List.of("alarms", "ack <id|all>", "code <code>", "selftest", "key", "report <from> <to>")) {
            assertTrue(out.contains(word), word + " in " + out);
        }
    }
}
