package com.oviron.callidus.agent.console;

import com.google.gson.JsonObject;
import com.oviron.callidus.agent.access.Access;
import com.oviron.callidus.agent.access.CommandPermissions;
import com.oviron.callidus.agent.access.Origin;
import com.oviron.callidus.agent.access.Principal;
import com.oviron.callidus.agent.access.Role;
import com.oviron.callidus.agent.access.ServiceRecords;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Who is logged in at one console (the serial one, or one remote console), since when, and what that allows
 * (docs/console.md, "Access"). A session ends on {@code logout}, after the idle time without input, when its
 * technician token expires, and when the console goes away. Used on the console's thread only.
 */
final class ConsoleSession {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String via;
    private final ConsoleAccess access;
    private final Clock clock;
    private Optional<Principal> who = Optional.empty();
    private String id = "";
    private Instant startedAt = Instant.EPOCH;
    private List<String> alarmsBefore = List.of();

    /** @param via {@link Origin#CONSOLE} or {@link Origin#REMOTE_CONSOLE} */
    ConsoleSession(String via, ConsoleAccess access, Clock clock) {
        this.via = via;
        this.access = access;
        this.clock = clock;
    }

    ConsoleAccess access() {
        return access;
    }

    /** Where things typed here come from, with the session id while someone is logged in. */
    Origin origin() {
        return new Origin(via, id);
    }

    String via() {
        return via;
    }

    Optional<Principal> who() {
        return who;
    }

    Instant startedAt() {
        return startedAt;
    }

    /** The record's view of this session, while someone is logged in. */
    Optional<ServiceRecords.Session> recordSession() {
        return who.map(p -> new ServiceRecords.Session(p, origin(), startedAt, alarmsBefore));
    }

    /** Someone logged in: a new session id, the time, and the alarms now (for the service record). */
    void start(Principal principal) {
        byte[] random = new byte[6];
        RANDOM.nextBytes(random);
        id = "s-" + HexFormat.of().formatHex(random);
        who = Optional.of(principal);
        startedAt = clock.instant();
        try {
            alarmsBefore = List.copyOf(access.alarms().get());
        } catch (RuntimeException e) {
            alarmsBefore = List.of("(the alarms could not be read: " + e.getMessage() + ")");
        }
    }

    /** Ends the session (audited) and says so; nothing when nobody is logged in. */
    Optional<String> end(String why) {
        if (who.isEmpty()) {
            return Optional.empty();
        }
        Principal p = who.get();
        access.access().ifPresent(a -> a.authenticator().loggedOut(p, origin(), why));
        who = Optional.empty();
        id = "";
        return Optional.of("[access] " + p.actor() + " logged out (" + why + ")");
    }

    /**
     * Ends the session when it has run out: its token expired, or no input for the idle time.
     *
     * @param lastInputMillis when something was last typed (by the console's clock)
     * @return the notice to print
     */
    Optional<String> expire(long lastInputMillis) {
        if (who.isEmpty() || access.access().isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Optional<Instant> expires = who.get().expiresAt();
        if (expires.isPresent() && !now.isBefore(expires.get())) {
            return end("token expired");
        }
        Duration idle = access.access().get().settings().idleTimeout();
        if (now.toEpochMilli() - lastInputMillis >= idle.toMillis()) {
            return end("no input for " + minutes(idle));
        }
        return Optional.empty();
    }

    /**
     * Why {@code command} may not run here now, as an error reply, or empty when it may.
     */
    Optional<JsonObject> refusal(String command) {
        CommandPermissions.Need need = CommandPermissions.need(command);
        if (need == CommandPermissions.Need.NONE || need == CommandPermissions.Need.SIGNED) {
            return Optional.empty();
        }
        if (need == CommandPermissions.Need.CLOUD) {
            return Optional.of(error("not_permitted", command + " is a command of the cloud (Oviron opens remote"
                    + " support with it), not one for a console"));
        }
        Role role = need == CommandPermissions.Need.CLINIC ? Role.CLINIC : Role.SERVICE;
        if (access.access().isEmpty()) {
            return Optional.of(error("not_permitted", command + " changes the unit, and changes at the console are"
                    + " off on this unit (its configuration has no access section)"));
        }
        if (who.isEmpty()) {
            return Optional.of(error("login_needed", command + " changes the unit: log in first (type login); it"
                    + " needs the " + role.wire() + " role"));
        }
        if (!who.get().role().covers(role)) {
            return Optional.of(error("not_permitted", command + " needs the " + role.wire() + " role; you are"
                    + " logged in as " + who.get().role().wire()));
        }
        return Optional.empty();
    }

    /** The audit trail's actor and role for what is typed now. */
    String actor() {
        return who.map(Principal::actor).orElse("anonymous");
    }

    String role() {
        return who.map(p -> p.role().wire()).orElse("-");
    }

    /** {@code CAL-000123> } or {@code CAL-000123 [T-4711 service]> }. */
    String prompt() {
        return prompt(access.deviceId(), who);
    }

    static String prompt(String deviceId, Optional<Principal> who) {
        return deviceId + who.map(p -> " [" + p.label() + "]").orElse("") + "> ";
    }

    static String minutes(Duration d) {
        long m = d.toMinutes();
        return m >= 1 && d.toSeconds() % 60 == 0 ? m + " min" : d.toSeconds() + " s";
    }

    static JsonObject error(String code, String message) {
        JsonObject e = new JsonObject();
        e.addProperty("code", code);
        e.addProperty("message", message);
        JsonObject r = new JsonObject();
        r.addProperty("ok", false);
        r.add("error", e);
        return r;
    }
}
