package com.oviron.callidus.agent.access;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The claims of a technician token (docs/console.md, "Technician tokens"): Oviron says that technician
 * {@code technicianId} may work on unit {@code device} (or {@code any} unit) in {@code role} until
 * {@code expiresAt}.
 *
 * @param issuer       {@code iss}
 * @param technicianId {@code sub}: letters, digits, {@code . _ @ -}, 1 to 64
 * @param name         {@code name}, the technician's name for the service record, if given (at most 100
 *                     printable characters)
 * @param role         {@code role}
 * @param device       {@code dev}: a unit serial or {@code any}
 * @param issuedAt     {@code iat}
 * @param expiresAt    {@code exp}
 * @param tokenId      {@code jti}: letters, digits, {@code . _ -}, 1 to 64
 */
public record TechnicianToken(String issuer, String technicianId, Optional<String> name, Role role, String device,
                              Instant issuedAt, Instant expiresAt, String tokenId) {
    public static final Pattern TECHNICIAN_ID = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    public static final Pattern TOKEN_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** {@code dev} of a token for every unit. */
    public static final String ANY_DEVICE = "any";

    public TechnicianToken {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (!TECHNICIAN_ID.matcher(Objects.requireNonNull(technicianId, "technicianId")).matches()) {
            throw new IllegalArgumentException("claim sub (technician id) must match " + TECHNICIAN_ID.pattern());
        }
        if (!TOKEN_ID.matcher(Objects.requireNonNull(tokenId, "tokenId")).matches()) {
            throw new IllegalArgumentException("claim jti must match " + TOKEN_ID.pattern());
        }
        if (name.isPresent() && (name.get().isBlank() || name.get().length() > 100
                || name.get().chars().anyMatch(c -> c < 0x20 || (c >= 0x7f && c < 0xa0)))) {
            throw new IllegalArgumentException("claim name must be 1 to 100 printable characters");
        }
        if (!expiresAt.isAfter(issuedAt)) {
            throw new IllegalArgumentException("claim exp must be after iat");
        }
    }
}
