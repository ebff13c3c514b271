package com.oviron.callidus.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.oviron.callidus.agent.subscription.Entitlement;
import com.oviron.callidus.agent.subscription.SubscriptionStatus;
import com.oviron.callidus.agent.subscription.SubscriptionToken;
import com.oviron.callidus.agent.subscription.TrustedClock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SubscriptionNoticesTest {
    /** Paid until 2027-01-10, 15 grace days (cloud services to 2027-01-25). */
    private static final SubscriptionToken TOKEN = new SubscriptionToken("oviron-subscriptions", "CAL-1",
            Instant.parse("2026-01-01T00:00:00Z"), 3, LocalDate.parse("2025-01-10"),
            Optional.of(LocalDate.parse("2027-01-10")), Optional.empty(), 15, Instant.parse("2026-01-01T00:00:00Z"));

    private static Optional<String> at(String day, Optional<SubscriptionToken> token) {
        Instant now = Instant.parse(day + "T12:00:00Z");
        TrustedClock.Reading reading = new TrustedClock.Reading(now, now, now, Duration.ZERO, false, Duration.ZERO,
                Optional.empty(), Optional.empty(), Optional.empty());
        return SubscriptionNotices.of(new SubscriptionStatus(Entitlement.decide(token, now, true), reading,
                Optional.empty()));
    }

    @Test
    void nothing_while_active_and_more_than_30_days_from_the_end() {
        assertEquals(Optional.empty(), at("2026-12-10", Optional.of(TOKEN)));
    }

    @Test
    void the_reminder_from_30_days_before_the_end() {
        assertEquals(Optional.of("[subscription] Oviron Service Manager ends on 2027-01-10 (30 days); renew to keep"
                + " the cloud services"), at("2026-12-11", Optional.of(TOKEN)));
        assertEquals(Optional.of("[subscription] Oviron Service Manager ends on 2027-01-10 (tomorrow); renew to keep"
                + " the cloud services"), at("2027-01-09", Optional.of(TOKEN)));
        assertEquals(Optional.of("[subscription] Oviron Service Manager ends on 2027-01-10 (today); renew to keep"
                + " the cloud services"), at("2027-01-10", Optional.of(TOKEN)));
    }

    @Test
    void in_grace_and_after_it() {
        assertEquals(Optional.of("[subscription] Oviron Service Manager ended on 2027-01-10; the cloud services"
                + " continue until 2027-01-25; renew to keep them"), at("2027-01-11", Optional.of(TOKEN)));
        assertEquals(Optional.of("[subscription] Oviron Service Manager ended on 2027-01-10; the cloud services"
                + " stopped after 2027-01-25 (the unit itself works as before); renew and install the new token"),
                at("2027-01-26", Optional.of(TOKEN)));
    }

    @Test
    void without_a_token() {
        assertEquals(Optional.of("[subscription] no subscription token is installed: the cloud services are off"
                + " (the unit itself works as before); paste one with: token <token>"), at("2026-12-10",
                Optional.empty()));
    }
}
