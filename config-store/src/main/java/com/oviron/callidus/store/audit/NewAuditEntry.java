package com.oviron.callidus.store.audit;

import java.util.Objects;

/**
 * An audit entry before it has a sequence number: who did what, through which way in, with which result.
 * The caller removes secrets before (the log stores what it is given).
 *
 * @param atMillis when it happened, epoch ms
 * @param actor    who: a technician id, {@code clinic}, {@code cloud}, {@code console} (nobody logged in),
 *                 {@code button}; at most {@value AuditEntry#MAX_ACTOR} characters
 * @param role     the role the actor acted in ({@code clinic}, {@code service}) or {@code -}
 * @param via      the way in: {@code console}, {@code remote-console}, {@code cloud}, {@code gpio}, {@code unit}
 * @param session  the console session it belongs to, or empty (a cloud command, a button press)
 * @param action   what: a command name ({@code settings.put}) or an access action ({@code login})
 * @param details  the arguments as JSON text, secrets removed; at most {@value AuditEntry#MAX_DETAILS} characters
 * @param outcome  the result for people: {@code ok} or why not; at most {@value AuditEntry#MAX_OUTCOME} characters
 * @param ok       whether it succeeded
 */
public record NewAuditEntry(long atMillis, String actor, String role, String via, String session, String action,
                            String details, String outcome, boolean ok) {
    public NewAuditEntry {
        actor = AuditEntry.bounded(Objects.requireNonNull(actor, "actor"), AuditEntry.MAX_ACTOR);
        role = AuditEntry.bounded(Objects.requireNonNull(role, "role"), AuditEntry.MAX_ACTOR);
        via = AuditEntry.bounded(Objects.requireNonNull(via, "via"), AuditEntry.MAX_ACTOR);
        session = AuditEntry.bounded(Objects.requireNonNull(session, "session"), AuditEntry.MAX_ACTOR);
        action = AuditEntry.bounded(Objects.requireNonNull(action, "action"), AuditEntry.MAX_ACTOR);
        details = AuditEntry.bounded(Objects.requireNonNull(details, "details"), AuditEntry.MAX_DETAILS);
        outcome = AuditEntry.bounded(Objects.requireNonNull(outcome, "outcome"), AuditEntry.MAX_OUTCOME);
        if (actor.isEmpty() || action.isEmpty()) {
            throw new IllegalArgumentException("an audit entry needs an actor and an action");
        }
    }
}
