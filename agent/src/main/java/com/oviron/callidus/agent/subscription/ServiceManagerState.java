package com.oviron.callidus.agent.subscription;

import java.util.Locale;

/** Where the unit stands with Oviron Service Manager on a given UTC day. */
public enum ServiceManagerState {
    /** Within the free 12 months or the paid period: every cloud service. */
    ACTIVE,
    /** After the paid period, within the token's grace days: cloud services continue, renewal is due. */
    GRACE,
    /** After the grace: cloud services stop (the unit itself works as before). */
    LAPSED,
    /** No valid token installed: cloud services stop until one is installed. */
    NO_TOKEN;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
