package com.oviron.callidus.agent.access;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Who is logged in at a console.
 *
 * @param actor     the technician id of a token, or {@value #CLINIC} for the unit PIN
 * @param role      what they may change
 * @param method    how they logged in
 * @param name      the technician's name from the token, if it has one
 * @param tokenId   the token's {@code jti}, with a token
 * @param keyId     the key the token was signed with, with a token
 * @param expiresAt when the token expires (the session ends then at the latest), with a token
 */
public record Principal(String actor, Role role, Method method, Optional<String> name, Optional<String> tokenId,
                        Optional<String> keyId, Optional<Instant> expiresAt) {
    /** The actor of a PIN login. */
    public static final String CLINIC = "clinic";

    /** How someone logged in. */
    public enum Method { PIN, TOKEN }

    public Principal {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** The clinic, by the unit PIN. */
    public static Principal clinic() {
        return new Principal(CLINIC, Role.CLINIC, Method.PIN, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /** A technician, by a verified token. */
    public static Principal of(AccessTokens.VerifiedTechnician t) {
        TechnicianToken c = t.claims();
        return new Principal(c.technicianId(), c.role(), Method.TOKEN, c.name(), Optional.of(c.tokenId()),
                Optional.of(t.keyId()), Optional.of(c.expiresAt()));
    }

    /** For the prompt: {@code clinic} or {@code T-4711 service}. */
    public String label() {
        return method == Method.PIN ? actor : actor + " " + role.wire();
    }
}
