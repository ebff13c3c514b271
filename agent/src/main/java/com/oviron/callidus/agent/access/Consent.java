package com.oviron.callidus.agent.access;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.tinylog.Logger;

/**
 * The clinic's consent to remote support (issue 14): Oviron's staff may open the console remotely only while a
 * person at the unit has allowed it, for a limited time, revocably. Granted by a logged-in clinic or service
 * user at the unit's own console ({@code consent grant [minutes]}) or by holding the consent button; revoked by
 * {@code consent revoke} (no login needed: taking access away is always allowed) or the button again; it ends
 * by itself at its time. Kept in the access state, so it survives a restart (a remote update restarts the
 * agent) but never outlives its end. Every decision is audited and told to the listeners (remote consoles end,
 * consoles print a notice). Thread-safe; {@link #tick()} runs once a second on the agent's access timer.
 */
public final class Consent {
    public static final Duration DEFAULT_LENGTH = Duration.ofMinutes(30);
    public static final Duration DEFAULT_MAX = Duration.ofHours(8);

    /** What happened to the consent. */
    public enum Change { GRANTED, REVOKED, ENDED }

    /** A change and the grant it concerns. */
    public record Event(Change change, ConsentGrant grant, String by) {
    }

    private final AccessStateStore state;
    private final Duration defaultLength;
    private final Duration maxLength;
    private final Clock clock;
    private final Auditor auditor;
    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();

    Consent(AccessStateStore state, Duration defaultLength, Duration maxLength, Clock clock, Auditor auditor) {
        this.state = Objects.requireNonNull(state, "state");
        this.defaultLength = Objects.requireNonNull(defaultLength, "defaultLength");
        this.maxLength = Objects.requireNonNull(maxLength, "maxLength");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.auditor = Objects.requireNonNull(auditor, "auditor");
        if (defaultLength.compareTo(maxLength) > 0) {
            throw new IllegalArgumentException("the default consent must not be longer than the longest");
        }
    }

    /** Told every change, on the thread that made it; must return quickly. */
    public void addListener(Consumer<Event> listener) {
        listeners.add(listener);
    }

    public Duration defaultLength() {
        return defaultLength;
    }

    public Duration maxLength() {
        return maxLength;
    }

    /** The consent in force now, if any. */
    public Optional<ConsentGrant> current() {
        Instant now = clock.instant();
        return state.get().consent().filter(g -> now.isBefore(effectiveEnd(g)));
    }

    public boolean active() {
        return current().isPresent();
    }

    /**
     * Allows remote support for {@code length} from now (replacing a consent in force).
     *
     * @param by     who: a technician id, {@code clinic} or {@code button}
     * @param origin must be at the unit (the serial console or the button): consent is never given remotely
     * @return empty when granted, or why not
     */
    public synchronized Optional<String> grant(Duration length, String by, String role, Origin origin) {
        JsonObject details = new JsonObject();
        details.addProperty("minutes", length.toMinutes());
        if (!origin.atTheUnit()) {
            auditor.record(Auditor.CONSENT, "consent_refused", by, role, origin, details,
                    "refused: consent is given at the unit, not remotely", false);
            return Optional.of("consent is given by a person at the unit (its console or the consent button),"
                    + " never remotely");
        }
        if (length.isNegative() || length.isZero() || length.compareTo(maxLength) > 0) {
            return Optional.of("the consent lasts 1 to " + maxLength.toMinutes() + " minutes");
        }
        Instant now = clock.instant();
        ConsentGrant grant = new ConsentGrant(now, now.plus(length), by, origin.via());
        try {
            state.update(s -> s.withConsent(Optional.of(grant)));
        } catch (IOException e) {
            Logger.error("consent not stored error={}", e.getMessage());
            return Optional.of("the consent could not be stored (" + e.getMessage() + "); remote support stays closed");
        }
        details.addProperty("until", grant.until().toString());
        auditor.record(Auditor.CONSENT, "consent_granted", by, role, origin, details, "ok", true);
        tell(new Event(Change.GRANTED, grant, by));
        return Optional.empty();
    }

    /**
     * Takes the consent back at once (no login needed).
     *
     * @return whether there was one
     */
    public synchronized boolean revoke(String by, String role, Origin origin) {
        Optional<ConsentGrant> grant = current();
        clear();
        if (grant.isEmpty()) {
            return false;
        }
        auditor.record(Auditor.CONSENT, "consent_revoked", by, role, origin, new JsonObject(), "ok", true);
        tell(new Event(Change.REVOKED, grant.get(), by));
        return true;
    }

    /** Ends a consent whose time has come; called once a second. */
    public synchronized void tick() {
        Optional<ConsentGrant> stored = state.get().consent();
        if (stored.isEmpty() || clock.instant().isBefore(effectiveEnd(stored.get()))) {
            return;
        }
        clear();
        JsonObject details = new JsonObject();
        details.addProperty("until", stored.get().until().toString());
        auditor.record(Auditor.CONSENT, "consent_ended", "unit", "-", Origin.of(Origin.UNIT), details,
                "ok", true);
        tell(new Event(Change.ENDED, stored.get(), "unit"));
    }

    /** A consent never lasts longer than the longest allowed from when it was given, whatever the clock did. */
    private Instant effectiveEnd(ConsentGrant g) {
        Instant latest = g.grantedAt().plus(maxLength);
        Instant end = g.until().isAfter(latest) ? latest : g.until();
        // a clock set back must not stretch it either
        Instant now = clock.instant();
        return now.isBefore(g.grantedAt()) ? now : end;
    }

    private void clear() {
        state.updateEvenIfNotWritten(s -> s.withConsent(Optional.empty()));
    }

    private void tell(Event e) {
        for (Consumer<Event> l : listeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                Logger.error(ex, "consent listener failed");
            }
        }
    }
}
