package com.oviron.callidus.agent.access;

import com.google.gson.JsonObject;
import com.oviron.callidus.agent.access.AccessTokenRejectedException.Reason;
import com.oviron.callidus.agent.subscription.CompactJws;
import com.oviron.callidus.agent.subscription.PinnedKeys;
import com.oviron.callidus.agent.subscription.TokenRejectedException;
import java.security.PrivateKey;
import java.util.function.UnaryOperator;

/**
 * The access tokens and the service record as compact JWS: the codebase's one JWS reader and writer
 * ({@link CompactJws}: Ed25519 with a pinned key, strict base64url and JSON), with a required {@code typ} that
 * tells a technician token from a reset token, a service record and a subscription token (whose {@code typ}
 * is {@code JWT} or absent), so that one can never be taken for another; its refusals as
 * {@link AccessTokenRejectedException}s.
 */
final class AccessJws {
    private AccessJws() {
    }

    /** @throws AccessTokenRejectedException with the first check that fails (see {@link CompactJws}) */
    static CompactJws.Verified verify(String compact, int maxChars, String typ, PinnedKeys keys)
            throws AccessTokenRejectedException {
        try {
            return CompactJws.verify(compact, maxChars, new CompactJws.Type("token", typ, true), keys);
        } catch (TokenRejectedException e) {
            throw new AccessTokenRejectedException(switch (e.reason()) {
                case TOO_LARGE -> Reason.TOO_LARGE;
                case BAD_HEADER -> Reason.BAD_HEADER;
                case ALGORITHM_NOT_ALLOWED -> Reason.ALGORITHM_NOT_ALLOWED;
                case UNKNOWN_KEY -> Reason.UNKNOWN_KEY;
                case BAD_SIGNATURE -> Reason.BAD_SIGNATURE;
                default -> Reason.MALFORMED;
            }, e.getMessage());
        }
    }

    static String sign(JsonObject payload, String typ, String keyId, PrivateKey key) {
        return CompactJws.sign(payload, typ, keyId, key);
    }

    static String sign(JsonObject payload, String typ, String keyId, UnaryOperator<byte[]> signer) {
        return CompactJws.sign(payload, typ, keyId, signer);
    }
}
