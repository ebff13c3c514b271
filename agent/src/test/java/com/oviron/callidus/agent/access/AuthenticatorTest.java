package com.oviron.callidus.agent.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.store.audit.AuditEntry;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticatorTest {
    private static final Origin CONSOLE = new Origin(Origin.CONSOLE, "s-1");

    @TempDir
    java.nio.file.Path dir;
    private AccessFixture f;

    @BeforeEach
    void open() {
        f = new AccessFixture(dir);
    }

    @AfterEach
    void close() {
        f.close();
    }

    private Authenticator.Outcome pin(String pin) {
        return f.auth().loginWithPin(pin.toCharArray(), CONSOLE);
    }

    private static String message(Authenticator.Outcome o) {
        return assertInstanceOf(Authenticator.Refused.class, o).message();
    }

    @Test
    void without_a_pin_nobody_logs_in_with_one() {
        assertFalse(f.auth().pinSet());
        assertTrue(message(pin("123456")).contains("no clinic PIN is set"));
        assertTrue(f.events.stream().anyMatch(e -> e.startsWith("audit.login action=login_failed")), f.events.toString());
    }

    @Test
    void the_right_pin_logs_in_the_clinic() {
        f.setPin("482913");
        Authenticator.LoggedIn in = assertInstanceOf(Authenticator.LoggedIn.class, pin("482913"));
        assertEquals(Principal.CLINIC, in.who().actor());
        assertEquals(Role.CLINIC, in.who().role());
        assertEquals(Principal.Method.PIN, in.who().method());
        AuditEntry last = f.log.newest(1).get(0);
        assertEquals("login", last.action());
        assertEquals("clinic", last.actor());
        assertEquals("s-1", last.session());
        assertFalse(last.details().contains("482913"), "the PIN is never audited: " + last.details());
    }

    @Test
    void three_wrong_pins_lock_for_a_growing_time_and_the_pin_is_not_even_compared_meanwhile() {
        f.setPin("482913");
        assertTrue(message(pin("111111")).contains("2 more tries"));
        assertTrue(message(pin("222222")).contains("1 more try"));
        Authenticator.Refused third = assertInstanceOf(Authenticator.Refused.class, pin("333333"));
        assertEquals(Optional.of(Duration.ofSeconds(30)), third.lockedFor());
        assertTrue(third.message().contains("locked for 30 s"), third.message());
        assertTrue(f.events.stream().anyMatch(e -> e.startsWith("audit.login action=lockout")), f.events.toString());

        f.clock.advance(Duration.ofSeconds(10));
        Authenticator.Refused locked = assertInstanceOf(Authenticator.Refused.class, pin("482913"));
        assertTrue(locked.message().contains("locked for 20 s"), locked.message());
        assertEquals(3, f.auth().failedPins(), "an attempt while locked does not count");

        f.clock.advance(Duration.ofSeconds(20));
        assertEquals(Optional.of(Duration.ofSeconds(60)), assertInstanceOf(Authenticator.Refused.class,
                pin("444444")).lockedFor());
        f.clock.advance(Duration.ofSeconds(60));
        assertEquals(Optional.of(Duration.ofSeconds(120)), assertInstanceOf(Authenticator.Refused.class,
                pin("555555")).lockedFor());
        f.clock.advance(Duration.ofSeconds(120));
        assertInstanceOf(Authenticator.LoggedIn.class, pin("482913"));
        assertEquals(0, f.auth().failedPins(), "the right PIN clears the count");
    }

    @Test
    void the_lock_and_the_count_survive_a_restart() {
        f.setPin("482913");
        pin("111111");
        pin("222222");
        pin("333333");
        f.clock.advance(Duration.ofSeconds(5));
        Authenticator after = f.reopen().authenticator();
        assertEquals(Optional.of(Duration.ofSeconds(25)), after.pinLockedFor());
        f.clock.advance(Duration.ofSeconds(25));
        assertEquals(Optional.of(Duration.ofSeconds(60)), assertInstanceOf(Authenticator.Refused.class,
                after.loginWithPin("444444".toCharArray(), CONSOLE)).lockedFor(), "the fourth wrong PIN doubles");
    }

    @Test
    void a_clock_set_back_does_not_make_the_lock_longer() {
        f.setPin("482913");
        pin("1");
        pin("2");
        pin("3");
        f.clock.set(AccessFixture.NOW.minus(Duration.ofDays(1)));
        assertEquals(Optional.of(Duration.ofSeconds(30)), f.auth().pinLockedFor());
    }

    @Test
    void a_technician_token_still_logs_in_while_the_pin_is_locked() {
        f.setPin("482913");
        pin("1");
        pin("2");
        pin("3");
        Authenticator.LoggedIn in = assertInstanceOf(Authenticator.LoggedIn.class,
                f.auth().loginWithToken(f.technician(Role.SERVICE), CONSOLE));
        assertEquals("T-4711", in.who().actor());
        assertEquals(Role.SERVICE, in.who().role());
        assertTrue(f.auth().pinLockedFor().isPresent());
    }

    @Test
    void a_refused_token_is_audited_without_the_token() {
        String token = f.technician(Role.SERVICE);
        f.clock.advance(Duration.ofHours(9));
        assertTrue(message(f.auth().loginWithToken(token, CONSOLE)).startsWith("token refused: expired"));
        AuditEntry e = f.log.newest(1).get(0);
        assertEquals("login_failed", e.action());
        assertTrue(e.details().contains("\"reason\":\"expired\""), e.details());
        assertFalse(String.join("\n", f.events).contains(token.split("\\.")[2]), "never the signature");
    }

    @Test
    void the_clinic_changes_its_pin_with_the_current_one() {
        f.setPin("482913");
        Principal clinic = ((Authenticator.LoggedIn) pin("482913")).who();
        assertTrue(f.auth().changePin(clinic, Optional.of("000000".toCharArray()), "777777".toCharArray(), CONSOLE)
                .orElseThrow().contains("wrong"));
        assertEquals(1, f.auth().failedPins(), "a wrong current PIN counts");
        assertEquals(Optional.empty(), f.auth().changePin(clinic, Optional.of("482913".toCharArray()),
                "777777".toCharArray(), CONSOLE));
        assertInstanceOf(Authenticator.LoggedIn.class, pin("777777"));
        assertInstanceOf(Authenticator.Refused.class, pin("482913"));
        assertTrue(f.auth().changePin(clinic, Optional.of("777777".toCharArray()), "12".toCharArray(), CONSOLE)
                .orElseThrow().contains("6 to 12 digits"));
    }

    @Test
    void a_reset_token_sets_a_new_pin_once_and_clears_the_lock() {
        f.setPin("482913");
        pin("1");
        pin("2");
        pin("3");
        String reset = f.reset("r-1");
        assertEquals(Optional.empty(), f.auth().resetPin(reset, "135790".toCharArray(), CONSOLE));
        assertEquals(Optional.empty(), f.auth().pinLockedFor());
        assertInstanceOf(Authenticator.LoggedIn.class, pin("135790"));
        assertTrue(f.auth().resetPin(reset, "246802".toCharArray(), CONSOLE).orElseThrow().contains("already_used"));
        Authenticator after = f.reopen().authenticator();
        assertTrue(after.resetPin(reset, "246802".toCharArray(), CONSOLE).orElseThrow().contains("already_used"),
                "also after a restart");
        List<String> actions = f.log.newest(20).stream().map(AuditEntry::action).toList();
        assertTrue(actions.contains("pin_reset"), actions.toString());
        assertTrue(f.log.newest(20).stream().anyMatch(e -> e.action().equals("pin_reset") && e.ok()
                && e.actor().equals("support-ana")));
    }

    @Test
    void the_state_file_is_private_and_holds_no_pin_in_clear() throws Exception {
        f.setPin("482913");
        String text = Files.readString(f.settings.stateFile());
        assertFalse(text.contains("482913"), text);
        assertTrue(text.contains("pbkdf2-sha256$"), text);
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(f.settings.stateFile()));
    }

    @Test
    void a_damaged_state_file_is_set_aside_and_audited_and_leaves_no_pin() throws Exception {
        f.setPin("482913");
        Files.writeString(f.settings.stateFile(), "{\"v\":1,\"pin\":\"garbage");
        Authenticator after = f.reopen().authenticator();
        assertFalse(after.pinSet());
        assertTrue(f.events.stream().anyMatch(e -> e.contains("action=access_state_damaged")), f.events.toString());
        try (var files = Files.list(dir)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("access.json.damaged-")));
        }
    }
}
