package com.oviron.callidus.agent.subscription;

/**
 * The result of installing a token that was accepted.
 *
 * @param installed false when it is the token already installed (nothing changed; a retained message or a
 *                  repeated command), true when it replaced the installed one
 * @param status    the subscription after the install
 */
public record InstallOutcome(boolean installed, SubscriptionStatus status) {
}
