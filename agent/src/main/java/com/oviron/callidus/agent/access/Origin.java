package com.oviron.callidus.agent.access;

import java.util.Objects;

/**
 * Where something was done, for the audit trail.
 *
 * @param via     {@value #CONSOLE}, {@value #REMOTE_CONSOLE}, {@value #CLOUD}, {@value #GPIO} or {@value #UNIT}
 * @param session the console session, or empty
 */
public record Origin(String via, String session) {
    public static final String CONSOLE = "console";
    public static final String REMOTE_CONSOLE = "remote-console";
    public static final String CLOUD = "cloud";
    public static final String GPIO = "gpio";
    /** The unit by itself (a consent that ran out, a session that ended when idle). */
    public static final String UNIT = "unit";

    public Origin {
        Objects.requireNonNull(via, "via");
        Objects.requireNonNull(session, "session");
    }

    public static Origin of(String via) {
        return new Origin(via, "");
    }

    /** Whether this is a person at the unit itself (the serial console or the button), not a remote one. */
    public boolean atTheUnit() {
        return via.equals(CONSOLE) || via.equals(GPIO);
    }
}
