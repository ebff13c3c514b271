package com.oviron.callidus.store.audit;

/**
 * An entry of the audit log with its sequence number (from 1, never reused). Fields as in
 * {@link NewAuditEntry}; {@code session} is empty when the entry belongs to no console session.
 */
public record AuditEntry(long seq, long atMillis, String actor, String role, String via, String session,
                         String action, String details, String outcome, boolean ok) {
    /** Longest actor, role, way in, session id and action kept (longer ones are cut). */
    public static final int MAX_ACTOR = 64;
    /** Longest details kept. */
    public static final int MAX_DETAILS = 4096;
    /** Longest outcome kept. */
    public static final int MAX_OUTCOME = 1000;

    /** Cuts {@code s} to {@code max} characters, marking the cut with "...". */
    static String bounded(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
