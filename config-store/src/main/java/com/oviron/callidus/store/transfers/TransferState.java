package com.oviron.callidus.store.transfers;

import java.util.Locale;

/** Where a file transfer stands; every state but {@link #ACTIVE} is final. */
public enum TransferState {
    /** Chunks are still moving (or an upload waits for the cloud's confirmation). */
    ACTIVE,
    /** The file arrived whole and was taken (download) or the cloud confirmed it (upload). */
    DONE,
    /** The file arrived whole and matched its hash, but the receiver refused it for its kind. */
    REJECTED,
    /** The transfer could not finish: hash mismatch, deadline passed, disk error, source gone. */
    FAILED,
    /** Ended by {@code file.cancel} (or by the sender). */
    CANCELLED;

    public boolean isFinal() {
        return this != ACTIVE;
    }

    /** As it travels: lower case. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
