package com.oviron.callidus.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.oviron.callidus.agent.access.AccessTokens;
import com.oviron.callidus.agent.access.PinResetToken;
import com.oviron.callidus.agent.access.Role;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.store.audit.AuditEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's access words through the real console over in-memory pipes, on a manual clock. */
class ConsoleAccessWordsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Any prompt or question the console ends its output with. */
    private static final Pattern PROMPT = Pattern.compile(
            "(CAL-000123( \\[[^\\]\r\n]*\\])?> |PIN or technician token: |current PIN: |new PIN \\(6 to 12 digits\\): "
                    + "|new PIN again: |reset token: )$");

    @TempDir
    Path dir;
    private ConsoleFixture fixture;
    private final FakeConsoleTransport transport = new FakeConsoleTransport();
    private final AtomicInteger puts = new AtomicInteger();
    private FieldConsole console;

    @BeforeEach
    void start() {
        fixture = new ConsoleFixture(dir);
        fixture.channel.register("status.get", c -> new JsonObject());
        fixture.channel.register("settings.put", c -> {
            puts.incrementAndGet();
            JsonObject r = new JsonObject();
            r.addProperty("document", c.arguments().string("document"));
            return r;
        });
        fixture.channel.register("update.cancel", c -> new JsonObject());
        console = new FieldConsole(transport, fixture.channel, fixture.consoleAccess(), Optional::empty,
                fixture.clock, Duration.ofMillis(20), Duration.ofSeconds(5), false, FieldConsole.GREETING);
        console.start();
        Await.until("the first prompt", WAIT, () -> transport.output().endsWith("CAL-000123> "));
    }

    @AfterEach
    void stop() {
        console.close();
        fixture.close();
    }

    /** Types {@code text} and returns what the console printed until it waits again. */
    private String run(String text) {
        int mark = transport.output().length();
        transport.type(text);
        Await.until(() -> "a prompt after typing; output: " + transport.output().substring(mark), WAIT,
                () -> transport.output().length() > mark + text.length()
                        && PROMPT.matcher(transport.output().substring(mark)).find());
        return transport.output().substring(mark);
    }

    private void setPin(String pin) {
        run("login\r");
        run(fixture.technician("T-1", Role.SERVICE, 8) + "\r");
        run("passwd\r");
        run(pin + "\r");
        assertTrue(run(pin + "\r").contains("the clinic PIN is set"));
        run("logout\r");
    }

    @Test
    void reading_works_without_login_and_a_change_is_refused_and_audited() {
        assertTrue(run("status\r").endsWith("CAL-000123> "));
        String out = run("cmd settings.put {\"document\":\"a.json\"}\r");
        assertTrue(out.contains("\"code\": \"login_needed\""), out);
        assertEquals(0, puts.get());
        AuditEntry e = fixture.auditLog.newest(1).get(0);
        assertEquals("settings.put", e.action());
        assertEquals("anonymous", e.actor());
        assertFalse(e.ok());
        assertTrue(e.outcome().startsWith("refused (login_needed)"), e.outcome());
    }

    @Test
    void the_pin_is_echoed_as_stars_and_the_prompt_then_shows_who_is_logged_in() {
        setPin("482913");
        String asked = run("login\r");
        assertTrue(asked.endsWith("PIN or technician token: "), asked);
        String out = run("482913\r");
        assertTrue(out.startsWith("******\r\n"), out);
        assertFalse(transport.output().contains("482913"), "the PIN is never shown");
        assertTrue(out.contains("logged in as clinic, role clinic (clinic PIN)"), out);
        assertTrue(out.endsWith("CAL-000123 [clinic]> "), out);
        assertTrue(run("cmd settings.put {\"document\":\"a.json\"}\r").contains("\"ok\": true"));
        assertEquals(1, puts.get());
        String refused = run("cmd update.cancel\r");
        assertTrue(refused.contains("\"code\": \"not_permitted\"") && refused.contains("needs the service role"),
                refused);
        AuditEntry put = fixture.auditLog.newest(2).get(1);
        assertEquals("settings.put", put.action());
        assertEquals("clinic", put.actor());
        assertEquals("console", put.via());
        assertTrue(put.session().startsWith("s-"), put.session());
        assertTrue(fixture.events.stream().anyMatch(ev -> ev.startsWith("audit.command action=settings.put actor=clinic"
                + " role=clinic via=console")), fixture.events.toString());
    }

    @Test
    void a_technician_token_logs_in_whoami_tells_and_the_session_ends_when_it_expires() {
        run("login\r");
        String out = run(fixture.technician("T-4711", Role.SERVICE, 1) + "\r");
        assertTrue(out.contains("logged in as T-4711 (Maria Ivanova), role service (technician token)"), out);
        assertTrue(out.endsWith("CAL-000123 [T-4711 service]> "), out);
        String who = run("whoami\r");
        assertTrue(who.contains("role    : service"), who);
        assertTrue(who.contains("expires : 2026-12-11 09:00 UTC"), who);
        // active all along (never 10 minutes without input), until the token's hour is over
        for (int i = 0; i < 6; i++) {
            fixture.clock.advance(Duration.ofMinutes(9));
            assertTrue(run("status\r").endsWith("[T-4711 service]> "));
        }
        fixture.clock.advance(Duration.ofMinutes(7));
        Await.until("logged out", WAIT, () -> transport.output().contains("[access] T-4711 logged out (token expired)"));
        Await.until("the plain prompt", WAIT, () -> transport.output().endsWith("CAL-000123> "));
    }

    @Test
    void the_session_ends_after_the_idle_time() {
        run("login\r");
        run(fixture.technician("T-4711", Role.CLINIC, 8) + "\r");
        fixture.clock.advance(Duration.ofMinutes(9));
        assertTrue(run("status\r").endsWith("[T-4711 clinic]> "), "still in");
        fixture.clock.advance(Duration.ofMinutes(10));
        Await.until("idle logout", WAIT, () -> transport.output().contains(
                "[access] T-4711 logged out (no input for 10 min)"));
        Await.until("the plain prompt", WAIT, () -> transport.output().endsWith("CAL-000123> "));
        assertTrue(fixture.events.stream().anyMatch(e -> e.startsWith("audit.login action=logout actor=T-4711")));
    }

    @Test
    void wrong_pins_lock_the_login_and_say_for_how_long() {
        setPin("482913");
        for (String wrong : List.of("111111", "222222")) {
            run("login\r");
            assertTrue(run(wrong + "\r").contains("wrong PIN"));
        }
        run("login\r");
        assertTrue(run("333333\r").contains("wrong PIN; the PIN login is locked for 30 s (3 wrong PINs in a row)"));
        String asked = run("login\r");
        assertTrue(asked.contains("(the PIN login is locked for 30 s; a technician token still works)"), asked);
        assertTrue(run("482913\r").contains("the PIN login is locked for 30 s after 3 wrong PINs"));
    }

    @Test
    void passwd_reset_with_a_reset_token_asks_for_the_new_pin_twice() {
        String reset = AccessTokens.sign(new PinResetToken("oviron-service", "support-ana", ConsoleFixture.SERIAL,
                ConsoleFixture.NOW.minusSeconds(60), ConsoleFixture.NOW.plusSeconds(3600), "r-1"), "t1",
                fixture.service.getPrivate());
        assertTrue(run("passwd\r").contains("passwd needs a login"));
        assertTrue(run("passwd reset\r").endsWith("reset token: "));
        assertTrue(run(reset + "\r").endsWith("new PIN (6 to 12 digits): "));
        run("135790\r");
        assertTrue(run("135799\r").contains("the two PINs differ; nothing changed"));
        run("passwd reset\r");
        run(reset + "\r");
        run("135790\r");
        assertTrue(run("135790\r").contains("the clinic PIN is set"));
        run("login\r");
        assertTrue(run("135790\r").contains("logged in as clinic"));
        assertFalse(transport.output().contains("135790"));
        assertFalse(transport.output().contains(reset.split("\\.")[2]), "a token's signature is never echoed");
    }

    @Test
    void ctrl_c_drops_a_question() {
        run("login\r");
        String out = run("12\u0003");
        assertTrue(out.contains("cancelled"), out);
        assertTrue(out.endsWith("CAL-000123> "), out);
        assertTrue(run("status\r").endsWith("CAL-000123> "));
    }

    @Test
    void consent_is_shown_granted_by_a_login_and_revoked_by_anyone() {
        assertTrue(run("consent\r").contains("remote support: not allowed"));
        assertTrue(run("consent grant 20\r").contains("consent grant needs a clinic or service login"));
        run("login\r");
        run(fixture.technician("T-4711", Role.CLINIC, 8) + "\r");
        String granted = run("consent grant 20\r");
        assertTrue(granted.contains("remote support: allowed until 2026-12-11 08:20 UTC (granted by T-4711"),
                granted);
        assertTrue(run("consent grant 600\r").contains("consent not granted: the consent lasts 1 to 480 minutes"));
        run("logout\r");
        assertTrue(run("consent revoke\r").contains("remote support consent taken back"));
        assertFalse(fixture.access.consent().active());
        assertTrue(run("consent revoke\r").contains("there was no consent"));
    }

    @Test
    void audit_shows_the_newest_entries_to_a_logged_in_user() {
        assertTrue(run("audit\r").contains("audit needs a login"));
        run("login\r");
        run(fixture.technician("T-4711", Role.SERVICE, 8) + "\r");
        run("cmd settings.put {\"document\":\"a.json\"}\r");
        String out = run("audit 5\r");
        Matcher m = Pattern.compile("2026-12-11 08:00 +T-4711 +console +settings\\.put +ok").matcher(out);
        assertTrue(m.find(), out);
        assertTrue(out.contains("login"), out);
        assertTrue(run("audit 0\r").contains("usage: audit [count 1..200]"));
    }

    @Test
    void remote_support_is_never_opened_from_a_console() {
        run("login\r");
        run(fixture.technician("T-4711", Role.SERVICE, 8) + "\r");
        String out = run("cmd console.open {\"session\":\"rc-1\"}\r");
        assertTrue(out.contains("\"code\": \"not_permitted\"") && out.contains("is a command of the cloud"), out);
    }

    @Test
    void help_explains_one_word_with_an_example() {
        String out = run("help consent\r");
        assertTrue(out.contains("usage: consent [grant [minutes] | revoke]"), out);
        assertTrue(out.contains("example: consent grant 30"), out);
        assertTrue(run("help nothing\r").contains("no word nothing"));
    }

    @Test
    void logging_in_twice_or_out_when_not_in_says_so() {
        assertTrue(run("logout\r").contains("not logged in"));
        run("login\r");
        run(fixture.technician("T-4711", Role.SERVICE, 8) + "\r");
        assertTrue(run("login\r").contains("already logged in as T-4711 service; logout first"));
        assertTrue(run("logout\r").contains("logged out"));
        assertTrue(run("whoami\r").contains("not logged in"));
    }
}
