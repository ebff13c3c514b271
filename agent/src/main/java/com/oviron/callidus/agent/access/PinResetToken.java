package com.oviron.callidus.agent.access;

import java.time.Instant;
import java.util.Objects;

/**
 * The claims of a PIN reset token (docs/console.md, "Forgotten PIN"): Oviron, after checking who called,
 * allows setting a new clinic PIN on unit {@code device}, once, until {@code expiresAt}.
 *
 * @param issuer    {@code iss}
 * @param issuedBy  {@code sub}: the Oviron employee who issued it (for the audit trail)
 * @param device    {@code dev}: this unit's serial ({@code any} is never accepted)
 * @param issuedAt  {@code iat}
 * @param expiresAt {@code exp}
 * @param tokenId   {@code jti}: each reset token counts once
 */
public record PinResetToken(String issuer, String issuedBy, String device, Instant issuedAt, Instant expiresAt,
                            String tokenId) {
    public PinResetToken {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (!TechnicianToken.TECHNICIAN_ID.matcher(Objects.requireNonNull(issuedBy, "issuedBy")).matches()) {
            throw new IllegalArgumentException("claim sub must match " + TechnicianToken.TECHNICIAN_ID.pattern());
        }
        if (!TechnicianToken.TOKEN_ID.matcher(Objects.requireNonNull(tokenId, "tokenId")).matches()) {
            throw new IllegalArgumentException("claim jti must match " + TechnicianToken.TOKEN_ID.pattern());
        }
        if (!expiresAt.isAfter(issuedAt)) {
            throw new IllegalArgumentException("claim exp must be after iat");
        }
    }
}
