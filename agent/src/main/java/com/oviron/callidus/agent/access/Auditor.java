package com.oviron.callidus.agent.access;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.audit.AuditEntry;
import com.oviron.callidus.store.audit.AuditLog;
import com.oviron.callidus.store.audit.NewAuditEntry;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.tinylog.Logger;

/**
 * Writes the audit trail (issue 14): each entry goes into the unit's own {@link AuditLog} and, as an audit
 * event, into the events stream the cloud receives ahead of telemetry (docs/protocol.md, "Audit events").
 * Secrets are removed from the details first ({@link Secrets}). A write that fails is counted and logged at
 * most once a minute; the other destination is still tried. Thread-safe.
 */
public final class Auditor {
    /** Event kinds, one per category of audited thing. */
    public static final String COMMAND = "audit.command";
    public static final String LOGIN = "audit.login";
    public static final String CONSENT = "audit.consent";
    public static final String REMOTE_CONSOLE = "audit.remote_console";
    public static final String SERVICE_RECORD = "audit.service_record";
    /** Longest event message; the audit log keeps the details up to its own bound. */
    static final int MAX_MESSAGE = 2000;
    private static final long FAILURE_LOG_MILLIS = 60_000;

    /** Where audit events go (the telemetry outbox's events stream in the agent). */
    @FunctionalInterface
    public interface EventSink {
        void event(long atMillis, String kind, String message) throws StoreException;
    }

    private final AuditLog log;
    private final EventSink events;
    private final Clock clock;
    private final AtomicLong failures = new AtomicLong();
    private long lastFailureLogMillis = Long.MIN_VALUE;

    public Auditor(AuditLog log, EventSink events, Clock clock) {
        this.log = Objects.requireNonNull(log, "log");
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * A command that changes the unit, with its outcome.
     *
     * @param reply the reply as the command channel makes it ({@code ok}, {@code error.code}, {@code error.message})
     */
    public void command(String actor, String role, Origin origin, String name, JsonObject args, JsonObject reply) {
        boolean ok = reply.has("ok") && reply.get("ok").isJsonPrimitive() && reply.get("ok").getAsBoolean();
        String outcome = ok ? "ok" : "refused (" + text(reply, "code") + "): " + text(reply, "message");
        record(COMMAND, name, actor, role, origin, args, outcome, ok);
    }

    /**
     * Anything else: a login, a consent decision, a remote console...
     *
     * @param kind    one of the event kinds above
     * @param action  what, e.g. {@code login_failed}
     * @param details arguments, secrets removed here too
     */
    public void record(String kind, String action, String actor, String role, Origin origin, JsonObject details,
                       String outcome, boolean ok) {
        long now = clock.millis();
        String detailsText = Secrets.redact(details).toString();
        String cleanOutcome = Secrets.redact(outcome);
        try {
            log.append(new NewAuditEntry(now, actor, role, origin.via(), origin.session(), action, detailsText,
                    cleanOutcome, ok));
        } catch (StoreException | RuntimeException e) {
            failed("audit log", action, e);
        }
        String message = "action=" + action + " actor=" + actor + " role=" + role + " via=" + origin.via()
                + (origin.session().isEmpty() ? "" : " session=" + origin.session()) + " result=" + cleanOutcome
                + " args=" + detailsText;
        try {
            events.event(now, kind, message.length() <= MAX_MESSAGE ? message
                    : message.substring(0, MAX_MESSAGE - 3) + "...");
        } catch (StoreException | RuntimeException e) {
            failed("events", action, e);
        }
        Logger.info("audit action={} actor={} role={} via={} ok={}", action, actor, role, origin.via(), ok);
    }

    /** The newest entries the unit keeps, newest first. */
    public List<AuditEntry> newest(int limit) throws StoreException {
        return log.newest(limit);
    }

    /** The entries of one console session, oldest first. */
    public List<AuditEntry> session(String session) throws StoreException {
        return log.session(session);
    }

    /** Entries the bound removed so far, and the bound. */
    public long removed() throws StoreException {
        return log.removed();
    }

    public int maxEntries() {
        return log.maxEntries();
    }

    /** Audit writes that failed since start. */
    public long failures() {
        return failures.get();
    }

    private void failed(String where, String action, Exception e) {
        long n = failures.incrementAndGet();
        long now = clock.millis();
        synchronized (this) {
            if (lastFailureLogMillis != Long.MIN_VALUE && now - lastFailureLogMillis < FAILURE_LOG_MILLIS) {
                return;
            }
            lastFailureLogMillis = now;
        }
        Logger.error("audit entry not written where={} action={} failures={} error={}", where, action, n,
                e.getMessage());
    }

    private static String text(JsonObject reply, String member) {
        JsonElement error = reply.get("error");
        if (error == null || !error.isJsonObject()) {
            return "?";
        }
        JsonElement e = error.getAsJsonObject().get(member);
        return e == null || e.isJsonNull() ? "?" : e.isJsonPrimitive() ? e.getAsString() : e.toString();
    }
}
