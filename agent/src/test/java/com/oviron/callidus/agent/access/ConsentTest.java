package com.oviron.callidus.agent.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.hal.GpioLine;
import com.oviron.callidus.hal.fake.FakeGpioPort;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsentTest {
    private static final Origin AT_UNIT = new Origin(Origin.CONSOLE, "s-1");

    @TempDir
    java.nio.file.Path dir;
    private AccessFixture f;
    private final List<Consent.Event> told = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() {
        f = new AccessFixture(dir);
        f.access.consent().addListener(told::add);
    }

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void a_grant_at_the_unit_lasts_its_time_then_ends_by_itself() {
        Consent c = f.access.consent();
        assertFalse(c.active());
        assertEquals(java.util.Optional.empty(), c.grant(Duration.ofMinutes(20), "clinic", "clinic", AT_UNIT));
        assertTrue(c.active());
        assertEquals(AccessFixture.NOW.plus(Duration.ofMinutes(20)), c.current().orElseThrow().until());
        f.clock.advance(Duration.ofMinutes(19));
        c.tick();
        assertTrue(c.active());
        f.clock.advance(Duration.ofMinutes(1));
        assertFalse(c.active());
        c.tick();
        assertEquals(List.of(Consent.Change.GRANTED, Consent.Change.ENDED), told.stream().map(Consent.Event::change)
                .toList());
        assertTrue(f.events.stream().anyMatch(e -> e.startsWith("audit.consent action=consent_granted actor=clinic")));
        assertTrue(f.events.stream().anyMatch(e -> e.startsWith("audit.consent action=consent_ended")));
    }

    @Test
    void consent_is_never_given_remotely_and_never_longer_than_the_longest() {
        Consent c = f.access.consent();
        assertTrue(c.grant(Duration.ofMinutes(10), "T-4711", "service", new Origin(Origin.REMOTE_CONSOLE, "s-2"))
                .orElseThrow().contains("never remotely"));
        assertTrue(c.grant(Duration.ofHours(9), "clinic", "clinic", AT_UNIT).isPresent());
        assertFalse(c.active());
        assertTrue(f.events.stream().anyMatch(e -> e.contains("action=consent_refused")), f.events.toString());
    }

    @Test
    void revoking_takes_it_back_at_once_and_survives_a_restart() {
        Consent c = f.access.consent();
        c.grant(Duration.ofMinutes(30), "clinic", "clinic", AT_UNIT);
        assertTrue(f.reopen().consent().active(), "a restart keeps a consent in force");
        assertTrue(f.access.consent().revoke("anonymous", "-", AT_UNIT));
        assertFalse(f.reopen().consent().active());
        assertFalse(f.access.consent().revoke("anonymous", "-", AT_UNIT), "nothing to take back");
    }

    @Test
    void a_clock_set_back_ends_the_consent_instead_of_stretching_it() {
        Consent c = f.access.consent();
        c.grant(Duration.ofMinutes(30), "clinic", "clinic", AT_UNIT);
        f.clock.set(AccessFixture.NOW.minus(Duration.ofHours(2)));
        assertFalse(c.active());
    }

    @Test
    void the_button_held_long_enough_grants_and_again_revokes_a_short_press_does_nothing() {
        FakeGpioPort gpio = new FakeGpioPort(List.of(GpioLine.input("consent_button", 5, true, Duration.ZERO,
                com.oviron.callidus.hal.GpioPull.NONE)), f.clock);
        java.util.concurrent.ScheduledThreadPoolExecutor timer = new java.util.concurrent.ScheduledThreadPoolExecutor(1);
        timer.setRemoveOnCancelPolicy(true);
        try {
            ConsentButton.watch(gpio, "consent_button", Duration.ofMillis(300), f.access.consent(), timer);
            gpio.setInput("consent_button", true);
            assertEquals(1, timer.getQueue().size(), "a press starts the hold timer");
            gpio.setInput("consent_button", false);
            assertEquals(0, timer.getQueue().size(), "releasing early cancels it: nothing will happen");
            assertFalse(f.access.consent().active());

            gpio.setInput("consent_button", true);
            Await.until("consent by the button", Duration.ofSeconds(10), () -> told.size() == 1);
            assertEquals("button", f.access.consent().current().orElseThrow().by());
            assertEquals(f.settings.consentDefault(), Duration.between(AccessFixture.NOW,
                    f.access.consent().current().orElseThrow().until()));
            gpio.setInput("consent_button", false);
            gpio.setInput("consent_button", true);
            Await.until("taken back by the button", Duration.ofSeconds(10), () -> told.size() == 2);
            assertFalse(f.access.consent().active());
            assertEquals(List.of(Consent.Change.GRANTED, Consent.Change.REVOKED), told.stream()
                    .map(Consent.Event::change).toList());
            assertTrue(f.events.stream().anyMatch(e -> e.startsWith("audit.consent action=consent_granted actor=button"
                    + " role=- via=gpio")), f.events.toString());
        } finally {
            timer.shutdownNow();
        }
    }
}
