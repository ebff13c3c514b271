package com.oviron.callidus.agent.access;

import java.time.Instant;
import java.util.Objects;

/**
 * A person at the unit allowed remote support until {@code until}.
 *
 * @param grantedAt when
 * @param until     when it ends by itself
 * @param by        who: a technician id, {@code clinic}, or {@code button}
 * @param via       how: {@code console} or {@code gpio}
 */
public record ConsentGrant(Instant grantedAt, Instant until, String by, String via) {
    public ConsentGrant {
        Objects.requireNonNull(grantedAt, "grantedAt");
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(by, "by");
        Objects.requireNonNull(via, "via");
        if (!until.isAfter(grantedAt)) {
            throw new IllegalArgumentException("a consent ends after it was granted");
        }
    }
}
