package com.oviron.callidus.agent.access;

import java.util.Locale;
import java.util.Objects;

/**
 * A technician token or a PIN reset token that is not accepted, with the reason as a value and a message for
 * people. The message never contains the token or a key.
 */
public final class AccessTokenRejectedException extends Exception {

    /** Why; {@link #wire()} is how it is printed and audited. */
    public enum Reason {
        /** Longer than {@link AccessTokens#MAX_TOKEN_CHARS}. */
        TOO_LARGE,
        /** Not three strict base64url parts of strict JSON. */
        MALFORMED,
        /** A header field other than alg, kid, typ, or another typ than the kind of token expected. */
        BAD_HEADER,
        /** {@code alg} is not EdDSA. */
        ALGORITHM_NOT_ALLOWED,
        /** Signed with a key id the unit does not pin under {@code access.keys}. */
        UNKNOWN_KEY,
        /** The signature does not verify (another key, a changed token). */
        BAD_SIGNATURE,
        /** A claim is missing, mistyped or out of range. */
        BAD_CLAIMS,
        /** {@code iss} is not the configured issuer. */
        WRONG_ISSUER,
        /** For another unit ({@code dev}); a reset token must name this unit, never {@code any}. */
        WRONG_DEVICE,
        /** {@code exp} has passed. */
        EXPIRED,
        /** {@code iat} lies ahead of the unit's time by more than the tolerance. */
        NOT_YET_VALID,
        /** Valid for longer than a token of its kind may be. */
        TOO_LONG,
        /** A reset token that was used already (each counts once). */
        ALREADY_USED;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    public AccessTokenRejectedException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
