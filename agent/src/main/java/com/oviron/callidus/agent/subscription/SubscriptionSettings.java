package com.oviron.callidus.agent.subscription;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The configuration of the subscription check (docs/configuration.md, "subscription").
 *
 * @param issuer         the {@code iss} every token must carry
 * @param keys           the vendor's pinned public keys by key id
 * @param tokenFile      where the installed token is cached
 * @param clockFile      where the trusted-time high-water mark is kept
 * @param clockTolerance how far the unit's clock may lag its own time before it counts as a jump back
 * @param tokenTimeLead  how far tokens' times may put trusted time ahead of the unit's own time, in all
 * @param timeChallengeValidity how long a nonce of {@code clock.challenge} answers a signed time statement
 */
public record SubscriptionSettings(String issuer, PinnedKeys keys, Path tokenFile, Path clockFile,
                                   Duration clockTolerance, Duration tokenTimeLead, Duration timeChallengeValidity) {
    /** Default issuer. */
    public static final String DEFAULT_ISSUER = "oviron-subscriptions";
    /** Default file names, in the agent's data folder. */
    public static final String DEFAULT_TOKEN_FILE = "subscription-token.jws";
    public static final String DEFAULT_CLOCK_FILE = "trusted-time.json";
    /** Default: a time challenge is answered within 10 minutes. */
    public static final Duration DEFAULT_TIME_CHALLENGE_VALIDITY = Duration.ofMinutes(10);
    /** Bounds of {@link #clockTolerance()}: below a second the monotonic and the wall clock disagree by jitter. */
    public static final Duration MIN_CLOCK_TOLERANCE = Duration.ofSeconds(1);
    public static final Duration MAX_CLOCK_TOLERANCE = Duration.ofDays(1);
    /** Largest {@link #tokenTimeLead()}. */
    public static final Duration MAX_TOKEN_TIME_LEAD = Duration.ofDays(7);
    /** Bounds of {@link #timeChallengeValidity()}. */
    public static final Duration MIN_TIME_CHALLENGE_VALIDITY = Duration.ofMinutes(1);
    public static final Duration MAX_TIME_CHALLENGE_VALIDITY = Duration.ofHours(1);

    public SubscriptionSettings {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(tokenFile, "tokenFile");
        Objects.requireNonNull(clockFile, "clockFile");
        Objects.requireNonNull(clockTolerance, "clockTolerance");
        Objects.requireNonNull(tokenTimeLead, "tokenTimeLead");
        Objects.requireNonNull(timeChallengeValidity, "timeChallengeValidity");
        if (issuer.isEmpty() || issuer.length() > 128) {
            throw new IllegalArgumentException("issuer must be 1 to 128 characters");
        }
        if (clockTolerance.compareTo(MIN_CLOCK_TOLERANCE) < 0 || clockTolerance.compareTo(MAX_CLOCK_TOLERANCE) > 0) {
            throw new IllegalArgumentException("clockTolerance must be between 1 second and 1 day, got "
                    + clockTolerance);
        }
        if (tokenTimeLead.isNegative() || tokenTimeLead.compareTo(MAX_TOKEN_TIME_LEAD) > 0) {
            throw new IllegalArgumentException("tokenTimeLead must be between 0 and 7 days, got " + tokenTimeLead);
        }
        if (timeChallengeValidity.compareTo(MIN_TIME_CHALLENGE_VALIDITY) < 0
                || timeChallengeValidity.compareTo(MAX_TIME_CHALLENGE_VALIDITY) > 0) {
            throw new IllegalArgumentException("timeChallengeValidity must be between 1 minute and 1 hour, got "
                    + timeChallengeValidity);
        }
        if (tokenFile.toAbsolutePath().equals(clockFile.toAbsolutePath())) {
            throw new IllegalArgumentException("tokenFile and clockFile must differ");
        }
    }

    /** The defaults: {@link #DEFAULT_ISSUER}, both files in {@code dataDir}, 10 minutes, 1 day, 10 minutes. */
    public static SubscriptionSettings defaults(PinnedKeys keys, Path dataDir) {
        return new SubscriptionSettings(DEFAULT_ISSUER, keys, dataDir.resolve(DEFAULT_TOKEN_FILE),
                dataDir.resolve(DEFAULT_CLOCK_FILE), TrustedClock.DEFAULT_TOLERANCE, TrustedClock.DEFAULT_TOKEN_LEAD,
                DEFAULT_TIME_CHALLENGE_VALIDITY);
    }
}
