package com.oviron.callidus.agent.access;

import com.oviron.callidus.agent.subscription.PinnedKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code access} section of the configuration (docs/configuration.md, "access"): technician access at the
 * console, the clinic PIN, consent to remote support and the remote console.
 *
 * @param issuer          the {@code iss} of technician and reset tokens (default {@value AccessTokens#DEFAULT_ISSUER})
 * @param keys            Oviron's public keys for technician and reset tokens, by key id
 * @param stateFile       the access state: PIN hash, lockout, used reset tokens, consent ({@code access.json})
 * @param idleTimeout     a console session ends after this long without input (default 10 min)
 * @param lockout         how wrong PINs lock the PIN login
 * @param pinIterations   PBKDF2 iterations of a new PIN hash
 * @param consentDefault  how long a consent lasts when no time is given (and for the button)
 * @param consentMax      the longest consent
 * @param consentButton   the GPIO input of the consent button, if the unit has one
 * @param consentHold     how long the button must be held
 * @param remoteMaxTime   a remote console ends after this long whatever happens (default 1 h)
 * @param remoteIdle      a remote console ends after this long without input from the cloud (default 10 min)
 */
public record AccessSettings(String issuer, PinnedKeys keys, Path stateFile, Duration idleTimeout, Lockout lockout,
                             int pinIterations, Duration consentDefault, Duration consentMax,
                             Optional<String> consentButton, Duration consentHold, Duration remoteMaxTime,
                             Duration remoteIdle) {
    public static final Duration DEFAULT_IDLE = Duration.ofMinutes(10);
    public static final Duration DEFAULT_REMOTE_MAX = Duration.ofHours(1);
    public static final Duration DEFAULT_REMOTE_IDLE = Duration.ofMinutes(10);
    public static final String DEFAULT_STATE_FILE = "access.json";

    public AccessSettings {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(stateFile, "stateFile");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(lockout, "lockout");
        Objects.requireNonNull(consentDefault, "consentDefault");
        Objects.requireNonNull(consentMax, "consentMax");
        Objects.requireNonNull(consentButton, "consentButton");
        Objects.requireNonNull(consentHold, "consentHold");
        Objects.requireNonNull(remoteMaxTime, "remoteMaxTime");
        Objects.requireNonNull(remoteIdle, "remoteIdle");
        if (pinIterations < PinHash.MIN_ITERATIONS || pinIterations > PinHash.MAX_ITERATIONS) {
            throw new IllegalArgumentException("pinIterations must be " + PinHash.MIN_ITERATIONS + " to "
                    + PinHash.MAX_ITERATIONS);
        }
        if (consentDefault.compareTo(consentMax) > 0) {
            throw new IllegalArgumentException("consentDefault must not be longer than consentMax");
        }
    }

    /** Defaults for everything but the keys, with the state file in {@code stateFolder}. */
    public static AccessSettings defaults(PinnedKeys keys, Path stateFolder) {
        return new AccessSettings(AccessTokens.DEFAULT_ISSUER, keys, stateFolder.resolve(DEFAULT_STATE_FILE),
                DEFAULT_IDLE, Lockout.defaults(), PinHash.DEFAULT_ITERATIONS, Consent.DEFAULT_LENGTH,
                Consent.DEFAULT_MAX, Optional.empty(), ConsentButton.DEFAULT_HOLD, DEFAULT_REMOTE_MAX,
                DEFAULT_REMOTE_IDLE);
    }
}
