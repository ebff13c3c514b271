package com.oviron.callidus.cloud.files;

import java.util.Locale;
import java.util.Optional;

/** What a transferred file is; decides where it goes and which checks it must pass. */
public enum FileKind {
    /** The clinic's logo shown on the unit's display (cloud to unit). */
    LOGO,
    /** A screen-saver image for the unit's display (cloud to unit). */
    SCREENSAVER,
    /** An X-ray image (health data; both directions, encrypted at rest on the unit). */
    XRAY,
    /** Logs and state for service (unit to cloud). */
    SUPPORT_BUNDLE,
    /** A period report (unit to cloud). */
    REPORT,
    /** A signed software update package (cloud to unit; docs/updates.md). */
    UPDATE,
    /** A service record signed by the unit at the end of a technician's visit (unit to cloud; issue 14). */
    SERVICE_RECORD;

    /** As it travels: lower case, e.g. {@code support_bundle}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<FileKind> fromWire(String s) {
        for (FileKind k : values()) {
            if (k.wire().equals(s)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
