package com.oviron.callidus.agent.update;

import java.util.Locale;

/** The steps of an update as reported to the cloud; the wire form is {@link #code()}. */
public enum UpdateStep {
    RECEIVED, VERIFYING, REJECTED, WAITING, INSTALLING, SWITCHING, RESTARTING, HEALTH_CHECK, COMMITTED, ROLLED_BACK,
    CANCELLED, FAILED;

    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
