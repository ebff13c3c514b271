package com.oviron.callidus.agent.media;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An X-ray image held encrypted in the {@link XrayVault}.
 *
 * @param id          the vault's id for it: 24 lower-case hex digits (random)
 * @param name        the file name it came with
 * @param size        bytes of the plain image
 * @param sha256      of the plain image, lower-case hex
 * @param storedAt    when it entered the vault; retention counts from here
 * @param direction   where it came from
 * @param deliveredAt when it was delivered (to the viewer folder, or uploaded); empty while it waits
 */
public record XrayRecord(String id, String name, long size, String sha256, Instant storedAt, Direction direction,
                         Optional<Instant> deliveredAt) {
    /** The shape of an id. */
    public static final Pattern ID = Pattern.compile("[0-9a-f]{24}");

    /** Where an image came from. */
    public enum Direction {
        /** From the cloud, for the unit's viewer. */
        IN,
        /** Captured on the unit, for the cloud. */
        OUT;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public XrayRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(storedAt, "storedAt");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(deliveredAt, "deliveredAt");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("x-ray id must be 24 lower-case hex digits");
        }
    }

    XrayRecord delivered(Instant at) {
        return new XrayRecord(id, name, size, sha256, storedAt, direction, Optional.of(at));
    }
}
