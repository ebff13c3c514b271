package com.oviron.callidus.agent.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.agent.subscription.TokenRejectedException.Reason;
import com.oviron.callidus.hal.fake.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubscriptionServiceTest {
    private static final Instant NOW = Instant.parse("2026-11-21T08:00:00Z");
    private final TestTokens t = new TestTokens();
    private final FakeTime time = new FakeTime(NOW);
    private final ManualClock local = time.wall;
    @TempDir
    Path dir;

    private SubscriptionService open() {
        return SubscriptionService.open(SubscriptionSettings.defaults(t.pinned, dir), TestTokens.SERIAL, local,
                time.monotonic());
    }

    /** Paid until 2027-03-10: grace to 2027-03-25, lapsed from 2027-03-26. */
    private String token(long serial) {
        return t.token(serial);
    }

    @Test
    void without_a_token_only_what_receives_a_token_is_allowed() {
        SubscriptionService s = open();
        assertEquals(ServiceManagerState.NO_TOKEN, s.status().entitlement().serviceManager());
        assertFalse(s.cloudServicesAllowed());
        for (String name : List.of("subscription.install", "subscription.get", "status.get", "commands.list")) {
            assertTrue(s.commandAllowed(name), name);
        }
        assertFalse(s.commandAllowed("files.upload"));
        assertFalse(s.commandAllowed("settings.backup"));
    }

    @Test
    void an_installed_token_allows_every_cloud_service_and_survives_a_restart() throws Exception {
        InstallOutcome o = open().install(token(1), "command");
        assertTrue(o.installed());
        assertEquals(ServiceManagerState.ACTIVE, o.status().entitlement().serviceManager());
        SubscriptionService reopened = open();
        assertTrue(reopened.cloudServicesAllowed());
        assertTrue(reopened.updatesAllowed());
        assertTrue(reopened.commandAllowed("files.upload"));
        assertTrue(reopened.status().entitlement().extendedWarrantyActive());
    }

    @Test
    void the_same_token_again_is_accepted_without_change_and_an_older_one_is_refused() throws Exception {
        SubscriptionService s = open();
        s.install(token(5), "command");
        assertFalse(s.install(token(5), "retained").installed());
        assertEquals(Reason.OLDER_SERIAL, assertThrows(TokenRejectedException.class,
                () -> s.install(token(4), "command")).reason());
        assertEquals(5, s.status().token().orElseThrow().claims().tokenSerial());
    }

    @Test
    void a_refused_token_changes_nothing() throws Exception {
        SubscriptionService s = open();
        s.install(token(2), "command");
        byte[] before = Files.readAllBytes(dir.resolve(SubscriptionSettings.DEFAULT_TOKEN_FILE));
        String good = token(3);
        // change one character in the middle of the signature (the last characters of a base64url signature can
        // be rewritten to the same bytes, so a tamper there is not always one)
        int at = good.lastIndexOf('.') + 20;
        String bad = good.substring(0, at) + (good.charAt(at) == 'A' ? 'B' : 'A') + good.substring(at + 1);
        assertThrows(TokenRejectedException.class, () -> s.install(bad, "command"));
        assertEquals(2, s.status().token().orElseThrow().claims().tokenSerial());
        assertEquals(new String(before), Files.readString(dir.resolve(SubscriptionSettings.DEFAULT_TOKEN_FILE)));
    }

    @Test
    void a_lapsed_subscription_stops_cloud_services_but_keeps_receiving_a_token() throws Exception {
        SubscriptionService s = open();
        s.install(token(1), "command");
        local.set(Instant.parse("2027-03-26T00:00:00Z"));
        assertEquals(ServiceManagerState.LAPSED, s.status().entitlement().serviceManager());
        assertFalse(s.cloudServicesAllowed());
        assertFalse(s.commandAllowed("files.upload"));
        assertTrue(s.commandAllowed("subscription.install"));
        SubscriptionToken renewed = TestTokens.withTimes(TestTokens.withPaidUntil(TestTokens.claims(2),
                LocalDate.parse("2028-03-10")), Instant.parse("2027-03-26T09:00:00Z"), Instant.parse("2027-03-26T09:00:00Z"));
        s.install(t.sign(renewed), "command");
        assertTrue(s.cloudServicesAllowed());
        assertEquals(LocalDate.parse("2028-03-10"), s.status().entitlement().serviceManagerEnd().orElseThrow());
    }

    @Test
    void setting_the_clock_back_does_not_revive_a_lapsed_subscription_and_refuses_updates() throws Exception {
        SubscriptionService s = open();
        s.install(token(1), "command");
        local.set(Instant.parse("2027-04-01T00:00:00Z"));
        assertFalse(s.cloudServicesAllowed());
        local.set(Instant.parse("2027-01-01T00:00:00Z"));
        SubscriptionStatus st = s.status();
        assertEquals(ServiceManagerState.LAPSED, st.entitlement().serviceManager());
        assertTrue(st.clock().clockTampered());
        assertFalse(st.entitlement().updatesAllowed());
        assertEquals(ServiceManagerState.LAPSED, open().status().entitlement().serviceManager(), "after a restart too");
    }

    @Test
    void a_jump_back_during_an_active_period_refuses_updates_until_the_clock_is_back() throws Exception {
        SubscriptionService s = open();
        s.install(token(1), "command");
        local.advance(Duration.ofDays(-3));
        assertTrue(s.cloudServicesAllowed(), "cloud services go on");
        assertFalse(s.updatesAllowed());
        s.install(t.sign(TestTokens.withTimes(TestTokens.claims(2), NOW.plusSeconds(60), NOW.plusSeconds(60))), "console");
        assertFalse(s.updatesAllowed(), "a token may be old: it does not prove the clock right");
        local.set(NOW.plusSeconds(60));
        assertTrue(s.updatesAllowed());
    }

    @Test
    void a_signed_time_statement_answering_a_challenge_resolves_a_jump_back() throws Exception {
        SubscriptionService s = open();
        s.install(token(1), "command");
        local.advance(Duration.ofDays(-3));
        assertFalse(s.updatesAllowed());
        TimeChallenge c = s.challenge();
        assertEquals(TestTokens.SERIAL, c.deviceSerial());
        assertEquals(TestTokens.ISSUER, c.issuer());
        assertEquals(SubscriptionSettings.DEFAULT_TIME_CHALLENGE_VALIDITY, c.validFor());
        assertTrue(c.clock().clockTampered());
        TimeSetOutcome o = s.setTime(t.statement(c.nonce(), NOW.plusSeconds(5)), "command");
        assertEquals(NOW, o.trustedBefore());
        assertEquals(NOW.plusSeconds(5), o.status().clock().trustedNow());
        assertTrue(s.updatesAllowed());
    }

    @Test
    void a_subscription_lapsed_by_a_wrong_mark_comes_back_at_once_when_a_signed_statement_corrects_it()
            throws Exception {
        Files.writeString(dir.resolve(SubscriptionSettings.DEFAULT_CLOCK_FILE),
                TrustedClockTest.planted(Instant.parse("2027-06-01T00:00:00Z"), NOW));
        SubscriptionService s = open();
        s.install(token(1), "command");
        assertEquals(ServiceManagerState.LAPSED, s.status().entitlement().serviceManager());
        List<SubscriptionStatus> heard = new CopyOnWriteArrayList<>();
        s.addChangeListener(heard::add);
        TimeSetOutcome o = s.setTime(t.statement(s.challenge().nonce(), NOW), "console");
        assertEquals(Instant.parse("2027-06-01T00:00:00Z"), o.trustedBefore());
        assertEquals(ServiceManagerState.ACTIVE, o.status().entitlement().serviceManager());
        assertTrue(s.cloudServicesAllowed());
        assertEquals(1, heard.size(), "the gates are told at once");
        assertEquals(ServiceManagerState.ACTIVE, heard.get(0).entitlement().serviceManager());
        assertEquals(ServiceManagerState.ACTIVE, open().status().entitlement().serviceManager(), "after a restart too");
    }

    @Test
    void a_signed_statement_counts_once_only_for_this_unit_and_only_within_the_validity() throws Exception {
        SubscriptionService s = open();
        String nonce = s.challenge().nonce();
        String statement = t.statement(nonce, NOW.plusSeconds(1));
        s.setTime(statement, "command");
        assertEquals(Reason.NONCE_USED, assertThrows(TokenRejectedException.class,
                () -> s.setTime(statement, "command")).reason());

        String late = s.challenge().nonce();
        time.passMonotonicOnly(SubscriptionSettings.DEFAULT_TIME_CHALLENGE_VALIDITY.plusNanos(1));
        assertEquals(Reason.CHALLENGE_EXPIRED, assertThrows(TokenRejectedException.class,
                () -> s.setTime(t.statement(late, NOW), "command")).reason());

        String onTime = s.challenge().nonce();
        time.passMonotonicOnly(SubscriptionSettings.DEFAULT_TIME_CHALLENGE_VALIDITY);
        s.setTime(t.statement(onTime, NOW), "command");

        String forgotten = s.challenge().nonce();
        SubscriptionService restarted = open();
        assertEquals(Reason.UNKNOWN_NONCE, assertThrows(TokenRejectedException.class,
                () -> restarted.setTime(t.statement(forgotten, NOW), "command")).reason(), "nonces die with the process");

        SubscriptionService other = SubscriptionService.open(SubscriptionSettings.defaults(t.pinned,
                dir.resolve("other")), "CAL-999", local, time.monotonic());
        String othersNonce = other.challenge().nonce();
        assertEquals(Reason.WRONG_DEVICE, assertThrows(TokenRejectedException.class,
                () -> other.setTime(t.statement(othersNonce, NOW), "command")).reason());
    }

    @Test
    void a_refused_statement_changes_nothing_and_leaves_the_challenge_open() throws Exception {
        Files.writeString(dir.resolve(SubscriptionSettings.DEFAULT_CLOCK_FILE),
                TrustedClockTest.planted(NOW.plus(Duration.ofDays(9)), NOW));
        SubscriptionService s = open();
        String nonce = s.challenge().nonce();
        String good = t.statement(nonce, NOW);
        int at = good.lastIndexOf('.') + 20;
        String tampered = good.substring(0, at) + (good.charAt(at) == 'A' ? 'B' : 'A') + good.substring(at + 1);
        assertEquals(Reason.BAD_SIGNATURE, assertThrows(TokenRejectedException.class,
                () -> s.setTime(tampered, "command")).reason());
        assertEquals(Reason.BAD_HEADER, assertThrows(TokenRejectedException.class,
                () -> s.setTime(token(1), "command")).reason(), "a token is not a time statement");
        assertEquals(NOW.plus(Duration.ofDays(9)), s.status().clock().trustedNow());
        assertEquals(NOW, s.setTime(good, "command").status().clock().trustedNow());
    }

    @Test
    void tokens_from_a_cloud_clock_30_days_fast_do_not_lapse_a_subscription_that_has_days_left() throws Exception {
        local.set(Instant.parse("2027-03-22T08:00:00Z"));    // grace ends 2027-03-25: 3 days left
        SubscriptionService s = open();
        for (int serial = 1; serial <= 20; serial++) {
            Instant fast = local.instant().plus(Duration.ofDays(30)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            s.install(t.sign(TestTokens.withTimes(TestTokens.claims(serial), fast, fast)), "retained");
            time.pass(Duration.ofMinutes(10));
        }
        SubscriptionStatus st = s.status();
        assertEquals(ServiceManagerState.GRACE, st.entitlement().serviceManager());
        assertTrue(st.clock().trustedNow().isBefore(local.instant().plus(Duration.ofDays(1)).plusSeconds(1)),
                st.clock().toString());
        assertTrue(open().cloudServicesAllowed(), "and after a restart");
    }

    @Test
    void listeners_hear_of_install_reminder_grace_and_lapse_once_each() throws Exception {
        SubscriptionService s = open();
        List<SubscriptionStatus> heard = new CopyOnWriteArrayList<>();
        s.addChangeListener(heard::add);
        s.status();
        s.install(token(1), "command");
        assertEquals(1, heard.size());
        s.status();
        assertEquals(1, heard.size(), "nothing changed");
        local.set(Instant.parse("2027-02-08T00:00:00Z"));   // 30 days before 2027-03-10
        s.status();
        s.status();
        assertEquals(2, heard.size());
        assertTrue(heard.get(1).entitlement().reminderDue());
        local.set(Instant.parse("2027-03-11T00:00:00Z"));
        s.status();
        local.set(Instant.parse("2027-03-26T00:00:00Z"));
        s.status();
        assertEquals(4, heard.size());
        assertEquals(ServiceManagerState.GRACE, heard.get(2).entitlement().serviceManager());
        assertEquals(ServiceManagerState.LAPSED, heard.get(3).entitlement().serviceManager());
    }

    @Test
    void a_listener_that_throws_does_not_stop_the_service() throws Exception {
        SubscriptionService s = open();
        s.addChangeListener(st -> {
            throw new IllegalStateException("console gone");
        });
        assertTrue(s.install(token(1), "command").installed());
        assertTrue(s.cloudServicesAllowed());
    }

    @Test
    void a_pasted_token_from_the_console_is_installed() throws Exception {
        SubscriptionService s = open();
        assertTrue(s.installFromConsole("\n  " + token(3) + "  \n").installed());
        assertEquals(3, s.status().token().orElseThrow().claims().tokenSerial());
        TokenRejectedException e = assertThrows(TokenRejectedException.class, () -> s.installFromConsole("hello"));
        assertEquals(Reason.MALFORMED, e.reason());
    }

    @Test
    void a_token_for_another_unit_is_refused() {
        SubscriptionService other = SubscriptionService.open(SubscriptionSettings.defaults(t.pinned, dir), "CAL-999",
                local);
        assertEquals(Reason.WRONG_DEVICE, assertThrows(TokenRejectedException.class,
                () -> other.install(token(1), "command")).reason());
    }
}
