package com.oviron.callidus.store;

import java.util.Objects;

/**
 * An alarm or audit event in the store: sent to the cloud before any telemetry, in order, and never removed
 * by retention (only by the cloud's acknowledgement).
 *
 * @param seq      position in the events stream (its own sequence, starting at 1, never reused)
 * @param atMillis when it happened, Unix ms
 * @param kind     what happened, a stable machine name (e.g. {@code store.corrupt})
 * @param severity {@code alarm} (needs attention) or {@code audit} (a record of what was done)
 * @param message  a sentence for people
 */
public record StoredEvent(long seq, long atMillis, String kind, String severity, String message) {
    public StoredEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
        if (!severity.equals("alarm") && !severity.equals("audit")) {
            throw new IllegalArgumentException("severity must be alarm or audit, got " + severity);
        }
    }
}
