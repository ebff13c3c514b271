package com.oviron.callidus.agent.update;

import java.util.Objects;

/**
 * What runs on the unit, as far as the update checks care.
 *
 * @param version             the committed release
 * @param securityVersionFloor the highest security version ever committed on this unit (never lowered, not
 *                            even by a rollback to an older slot)
 */
public record InstalledRelease(Version version, long securityVersionFloor) {
    public InstalledRelease {
        Objects.requireNonNull(version, "version");
        if (securityVersionFloor < 0) {
            throw new IllegalArgumentException("securityVersionFloor must not be negative");
        }
    }
}
