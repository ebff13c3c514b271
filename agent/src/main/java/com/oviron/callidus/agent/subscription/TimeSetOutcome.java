package com.oviron.callidus.agent.subscription;

import java.time.Instant;
import java.util.Objects;

/**
 * The result of a signed time statement that was accepted ({@code clock.set}).
 *
 * @param trustedBefore the trusted time just before
 * @param status        the subscription after it
 */
public record TimeSetOutcome(Instant trustedBefore, SubscriptionStatus status) {
    public TimeSetOutcome {
        Objects.requireNonNull(trustedBefore, "trustedBefore");
        Objects.requireNonNull(status, "status");
    }
}
