package com.oviron.callidus.agent.subscription;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The claims of a signed time statement (docs/protocol.md, "Signed time statement"): Oviron's signing
 * server states the true time for one unit, in answer to a challenge ({@code nonce}) the unit issued. It is
 * the only input that can set the unit's trusted time back, or beyond the bound unsigned and replayable
 * inputs are held to ({@link TrustedClock}). Immutable and validated here; whether it is genuine is
 * {@link TimeStatementVerifier}'s job, whether its nonce is fresh {@link TimeChallenges}'s.
 *
 * @param issuer       {@code iss}: compared with the configured issuer, as for a token
 * @param deviceSerial {@code sub}: the unit's serial
 * @param nonce        {@code nonce}: the challenge it answers
 * @param time         {@code time_ms}: the signing server's clock when it signed, epoch milliseconds
 */
public record TimeStatement(String issuer, String deviceSerial, String nonce, Instant time) {
    /** The header {@code typ} a time statement must carry (and a token must not). */
    public static final String TYPE = "callidus-time+jwt";
    /** The shape of a nonce: what {@link TimeChallenges} issues is 22 characters of base64url. */
    public static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{16,64}");

    public TimeStatement {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(deviceSerial, "deviceSerial");
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(time, "time");
        if (issuer.isEmpty() || issuer.length() > 128) {
            throw new IllegalArgumentException("iss must be 1 to 128 characters");
        }
        if (!SubscriptionToken.SERIAL.matcher(deviceSerial).matches()) {
            throw new IllegalArgumentException("sub must match " + SubscriptionToken.SERIAL.pattern());
        }
        if (!NONCE.matcher(nonce).matches()) {
            throw new IllegalArgumentException("nonce must match " + NONCE.pattern());
        }
        if (time.getNano() % 1_000_000 != 0) {
            throw new IllegalArgumentException("time_ms is whole milliseconds");
        }
        if (time.isBefore(SubscriptionToken.EARLIEST) || !time.isBefore(SubscriptionToken.LATEST)) {
            throw new IllegalArgumentException("time_ms must lie between " + SubscriptionToken.EARLIEST + " and "
                    + SubscriptionToken.LATEST + ", got " + time);
        }
    }
}
