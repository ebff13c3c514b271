package com.oviron.callidus.agent.access;

import java.util.Locale;
import java.util.Optional;

/**
 * What a logged-in person may change at the unit (docs/console.md, "Access"). {@link #SERVICE} covers
 * everything {@link #CLINIC} may do.
 */
public enum Role {
    /** The clinic's staff: their own settings and logo, remote-support consent, the clinic PIN. */
    CLINIC,
    /** Oviron's and its partners' service technicians: everything. */
    SERVICE;

    /** As it is written in tokens, the audit trail and on the console: {@code clinic}, {@code service}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether this role may do what {@code needed} may do. */
    public boolean covers(Role needed) {
        return this == SERVICE || needed == CLINIC;
    }

    public static Optional<Role> fromWire(String s) {
        for (Role r : values()) {
            if (r.wire().equals(s)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
