package com.oviron.callidus.agent.subscription;

import java.util.Locale;
import java.util.Objects;

/**
 * A subscription token or a signed time statement (both compact JWS) that is not accepted, with the reason
 * as a value the cloud and the console can act on and a message for people. The message never contains the
 * token, the statement or a key.
 */
public final class TokenRejectedException extends Exception {

    /** Why a token or a time statement was refused; {@link #wire()} is how it travels in replies and status. */
    public enum Reason {
        /** Longer than {@link TokenVerifier#MAX_TOKEN_CHARS}. */
        TOO_LARGE,
        /** Not three base64url parts of strict JSON (or a non-canonical base64url). */
        MALFORMED,
        /** The header has another field than alg, kid and typ, or not the typ of a token (JWT) or statement. */
        BAD_HEADER,
        /** {@code alg} is not EdDSA ({@code none}, HMAC, RSA... are all refused). */
        ALGORITHM_NOT_ALLOWED,
        /** {@code kid} names no pinned key. */
        UNKNOWN_KEY,
        /** The signature does not verify with the pinned key. */
        BAD_SIGNATURE,
        /** {@code iss} is not the configured issuer. */
        WRONG_ISSUER,
        /** {@code sub} is another unit's serial. */
        WRONG_DEVICE,
        /** A claim is missing, of the wrong type or out of range. */
        BAD_CLAIMS,
        /** The token's serial is lower than or equal to the installed token's, and it is not the same token. */
        OLDER_SERIAL,
        /** The token could not be written to disk; the installed token is unchanged. */
        NOT_STORED,
        /** A time statement's nonce was not issued by this unit since it started (or was pushed out by newer ones). */
        UNKNOWN_NONCE,
        /** A time statement's nonce was used already: a statement counts once. */
        NONCE_USED,
        /** A time statement answers a challenge older than {@code subscription.timeChallengeValidity}. */
        CHALLENGE_EXPIRED;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    public TokenRejectedException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public TokenRejectedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
