package com.oviron.callidus.store;

import java.util.Objects;
import java.util.Optional;

/**
 * An alarm or audit event in the store: sent to the cloud before any telemetry, in order, and never removed
 * by retention (only by the cloud's acknowledgement).
 *
 * @param seq      position in the events stream (its own sequence, starting at 1, never reused)
 * @param atMillis when it happened, Unix ms
 * @param kind     what happened, a stable machine name (e.g. {@code store.corrupt})
 * @param severity {@code alarm} (needs attention) or {@code audit} (a record of what was done)
 * @param message  a sentence for people
 * @param detail   machine-readable facts about it (a JSON object's text, at most {@link #MAX_DETAIL_CHARS}
 *                 characters), e.g. an alarm's code, values and remedy; empty for events that have none
 */
public record StoredEvent(long seq, long atMillis, String kind, String severity, String message,
                          Optional<String> detail) {
    /** Longest detail text accepted (it travels inside one MQTT message). */
    public static final int MAX_DETAIL_CHARS = 16_384;

    public StoredEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(detail, "detail");
        if (!severity.equals("alarm") && !severity.equals("audit")) {
            throw new IllegalArgumentException("severity must be alarm or audit, got " + severity);
        }
        if (detail.isPresent() && (detail.get().length() > MAX_DETAIL_CHARS || !detail.get().startsWith("{"))) {
            throw new IllegalArgumentException("detail must be a JSON object of at most " + MAX_DETAIL_CHARS
                    + " characters");
        }
    }

    /** An event without detail. */
    public StoredEvent(long seq, long atMillis, String kind, String severity, String message) {
        this(seq, atMillis, kind, severity, message, Optional.empty());
    }
}
