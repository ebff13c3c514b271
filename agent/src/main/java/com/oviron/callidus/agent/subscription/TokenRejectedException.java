package com.oviron.callidus.agent.subscription;

import java.util.Locale;
import java.util.Objects;

/**
 * A subscription token that is not accepted, with the reason as a value the cloud and the console can act
 * on and a message for people. The message never contains the token or a key.
 */
public final class TokenRejectedException extends Exception {

    /** Why a token was refused; {@link #wire()} is how it travels in replies and status. */
    public enum Reason {
        /** Longer than {@link TokenVerifier#MAX_TOKEN_CHARS}. */
        TOO_LARGE,
        /** Not three base64url parts of strict JSON (or a non-canonical base64url). */
        MALFORMED,
        /** The header has another field than alg, kid and typ, or a typ other than JWT. */
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
        NOT_STORED;

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
