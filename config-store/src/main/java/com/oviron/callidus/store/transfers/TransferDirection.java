package com.oviron.callidus.store.transfers;

import java.util.Locale;

/** Which way a file moves. */
public enum TransferDirection {
    /** Cloud to unit. */
    DOWNLOAD,
    /** Unit to cloud. */
    UPLOAD;

    /** As it travels: lower case. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
