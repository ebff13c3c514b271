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
 * @param clockTolerance how far the local clock may step back before it counts as a jump back
 * @param tokenTimeLead  how far a token's time may move trusted time ahead of the unit's own time
 */
public record SubscriptionSettings(String issuer, PinnedKeys keys, Path tokenFile, Path clockFile,
                                   Duration clockTolerance, Duration tokenTimeLead) {
    /** Default issuer. */
    public static final String DEFAULT_ISSUER = "oviron-subscriptions";
    /** Default file names, in the agent's data folder. */
    public static final String DEFAULT_TOKEN_FILE = "subscription-token.jws";
    public static final String DEFAULT_CLOCK_FILE = "trusted-time.json";

    public SubscriptionSettings {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(tokenFile, "tokenFile");
        Objects.requireNonNull(clockFile, "clockFile");
        Objects.requireNonNull(clockTolerance, "clockTolerance");
        Objects.requireNonNull(tokenTimeLead, "tokenTimeLead");
        if (issuer.isEmpty() || issuer.length() > 128) {
            throw new IllegalArgumentException("issuer must be 1 to 128 characters");
        }
        if (clockTolerance.isNegative() || clockTolerance.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("clockTolerance must be between 0 and 1 day, got " + clockTolerance);
        }
        if (tokenTimeLead.isNegative() || tokenTimeLead.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("tokenTimeLead must be between 0 and 7 days, got " + tokenTimeLead);
        }
        if (tokenFile.toAbsolutePath().equals(clockFile.toAbsolutePath())) {
            throw new IllegalArgumentException("tokenFile and clockFile must differ");
        }
    }

    /** The defaults: {@link #DEFAULT_ISSUER}, both files in {@code dataDir}, 10 minutes, 1 day. */
    public static SubscriptionSettings defaults(PinnedKeys keys, Path dataDir) {
        return new SubscriptionSettings(DEFAULT_ISSUER, keys, dataDir.resolve(DEFAULT_TOKEN_FILE),
                dataDir.resolve(DEFAULT_CLOCK_FILE), TrustedClock.DEFAULT_TOLERANCE, TrustedClock.DEFAULT_TOKEN_LEAD);
    }
}
