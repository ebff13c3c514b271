package com.oviron.callidus.agent.subscription;

import java.time.Duration;
import java.util.Objects;

/**
 * A challenge for a signed time statement ({@code clock.challenge}): what Oviron's signing server needs to
 * sign one for this unit, and the unit's clock as it stands.
 *
 * @param deviceSerial the {@code sub} the statement must carry
 * @param issuer       the {@code iss} it must carry
 * @param nonce        the {@code nonce} it must carry; answers one statement
 * @param validFor     how long the nonce answers a statement (monotonic time, forgotten on a restart)
 * @param clock        the trusted-time reading when it was issued
 */
public record TimeChallenge(String deviceSerial, String issuer, String nonce, Duration validFor,
                            TrustedClock.Reading clock) {
    public TimeChallenge {
        Objects.requireNonNull(deviceSerial, "deviceSerial");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(validFor, "validFor");
        Objects.requireNonNull(clock, "clock");
    }
}
