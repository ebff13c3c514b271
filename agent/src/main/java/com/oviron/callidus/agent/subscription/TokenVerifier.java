package com.oviron.callidus.agent.subscription;

import com.oviron.callidus.agent.subscription.TokenRejectedException.Reason;
import java.util.Objects;

/**
 * Checks a subscription token: a compact JWS (RFC 7515) signed with Ed25519 ({@code alg} EdDSA, RFC 8037),
 * verified with the JDK's own Ed25519. In this order, and the first failure is the reason:
 * <ol>
 *   <li>the JWS checks of {@link CompactJws} (at most {@value #MAX_TOKEN_CHARS} characters; header {@code typ}
 *       {@code JWT} if present; pinned key; signature);</li>
 *   <li>the claims are well-formed ({@link TokenClaimsCodec}), {@code iss} is the expected issuer and
 *       {@code sub} is this unit's serial.</li>
 * </ol>
 * Dates (whether the subscription is active) are not this class's business: see {@link Entitlement}.
 * Thread-safe.
 */
public final class TokenVerifier {
    /** Longest token accepted, in characters; a real one is about 500. */
    public static final int MAX_TOKEN_CHARS = 4096;
    /** A token's header {@code typ}: optional, {@code JWT} when present (a time statement's differs). */
    static final CompactJws.Type TYPE = new CompactJws.Type("token", "JWT", false);

    private final String expectedIssuer;
    private final String deviceSerial;
    private final PinnedKeys keys;

    /**
     * @param expectedIssuer the {@code iss} every token must carry
     * @param deviceSerial   this unit's serial; a token for another serial is refused
     * @param keys           the pinned public keys by key id
     */
    public TokenVerifier(String expectedIssuer, String deviceSerial, PinnedKeys keys) {
        this.expectedIssuer = Objects.requireNonNull(expectedIssuer, "expectedIssuer");
        this.deviceSerial = Objects.requireNonNull(deviceSerial, "deviceSerial");
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    public String deviceSerial() {
        return deviceSerial;
    }

    /**
     * @param compact the token; surrounding white space (a pasted line) is ignored
     * @return the verified token
     * @throws TokenRejectedException with the first reason it fails
     */
    public VerifiedToken verify(String compact) throws TokenRejectedException {
        CompactJws.Verified jws = CompactJws.verify(compact, MAX_TOKEN_CHARS, TYPE, keys);
        SubscriptionToken claims;
        try {
            claims = TokenClaimsCodec.fromJson(jws.payload());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new TokenRejectedException(Reason.BAD_CLAIMS, e.getMessage());
        }
        if (!claims.issuer().equals(expectedIssuer)) {
            throw new TokenRejectedException(Reason.WRONG_ISSUER, "issuer '" + claims.issuer() + "' is not the expected '"
                    + expectedIssuer + "'");
        }
        if (!claims.deviceSerial().equals(deviceSerial)) {
            throw new TokenRejectedException(Reason.WRONG_DEVICE, "token is for unit '" + claims.deviceSerial()
                    + "', this unit is '" + deviceSerial + "'");
        }
        return new VerifiedToken(claims, jws.keyId(), jws.compact());
    }
}
