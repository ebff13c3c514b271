package com.oviron.callidus.agent.subscription;

import com.oviron.callidus.agent.subscription.TokenRejectedException.Reason;
import java.util.Objects;

/**
 * Checks a signed time statement: the JWS checks of {@link CompactJws} with the header {@code typ}
 * {@value TimeStatement#TYPE} required (so a token is never taken for a statement, nor the reverse) and the
 * same pinned keys as tokens; then the claims ({@link TimeStatementCodec}), {@code iss} and {@code sub} as
 * for a token. Whether its nonce answers a live challenge is checked afterwards by {@link TimeChallenges}.
 * Thread-safe.
 */
public final class TimeStatementVerifier {
    /** Longest statement accepted, in characters; a real one is about 300. */
    public static final int MAX_STATEMENT_CHARS = 2048;
    static final CompactJws.Type TYPE = new CompactJws.Type("time statement", TimeStatement.TYPE, true);

    private final String expectedIssuer;
    private final String deviceSerial;
    private final PinnedKeys keys;

    public TimeStatementVerifier(String expectedIssuer, String deviceSerial, PinnedKeys keys) {
        this.expectedIssuer = Objects.requireNonNull(expectedIssuer, "expectedIssuer");
        this.deviceSerial = Objects.requireNonNull(deviceSerial, "deviceSerial");
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    /** The {@code iss} a statement must carry. */
    public String issuer() {
        return expectedIssuer;
    }

    /**
     * @param compact the statement; surrounding white space is ignored
     * @throws TokenRejectedException with the first reason it fails
     */
    public TimeStatement verify(String compact) throws TokenRejectedException {
        CompactJws.Verified jws = CompactJws.verify(compact, MAX_STATEMENT_CHARS, TYPE, keys);
        TimeStatement s;
        try {
            s = TimeStatementCodec.fromJson(jws.payload());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new TokenRejectedException(Reason.BAD_CLAIMS, e.getMessage());
        }
        if (!s.issuer().equals(expectedIssuer)) {
            throw new TokenRejectedException(Reason.WRONG_ISSUER, "issuer '" + s.issuer() + "' is not the expected '"
                    + expectedIssuer + "'");
        }
        if (!s.deviceSerial().equals(deviceSerial)) {
            throw new TokenRejectedException(Reason.WRONG_DEVICE, "time statement is for unit '" + s.deviceSerial()
                    + "', this unit is '" + deviceSerial + "'");
        }
        return s;
    }
}
