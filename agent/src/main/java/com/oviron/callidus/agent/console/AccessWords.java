package com.oviron.callidus.agent.console;

import com.oviron.callidus.agent.access.Access;
import com.oviron.callidus.agent.access.Authenticator;
import com.oviron.callidus.agent.access.ConsentGrant;
import com.oviron.callidus.agent.access.Principal;
import com.oviron.callidus.agent.access.Role;
import com.oviron.callidus.agent.access.ServiceRecords;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.audit.AuditEntry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The console's access words (docs/console.md, "Access"): {@code login}, {@code logout}, {@code whoami},
 * {@code passwd}, {@code consent}, {@code service-record}, {@code audit}. Secrets (PIN, tokens) are asked for
 * on their own line and echoed as stars. Runs on the console's thread.
 */
final class AccessWords {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
    static final int DEFAULT_AUDIT_LINES = 20;
    static final int MAX_AUDIT_LINES = 200;
    private static final String NO_ACCESS = "logging in is off on this unit (its configuration has no access section)";

    private final ConsoleSession session;

    AccessWords(ConsoleSession session) {
        this.session = session;
    }

    private Optional<Access> access() {
        return session.access().access();
    }

    ConsoleReply login(String rest) {
        if (!rest.isEmpty()) {
            return ConsoleReply.of("usage: login   (then type the PIN or paste the technician token when asked;"
                    + " it is shown as stars)");
        }
        if (access().isEmpty()) {
            return ConsoleReply.of(NO_ACCESS);
        }
        if (session.who().isPresent()) {
            return ConsoleReply.of("already logged in as " + session.who().get().label() + "; logout first");
        }
        Authenticator auth = access().get().authenticator();
        List<String> before = new ArrayList<>();
        auth.pinLockedFor().ifPresent(d -> before.add("(the PIN login is locked for " + seconds(d)
                + "; a technician token still works)"));
        return ConsoleReply.ask(before, "PIN or technician token: ", true, answer -> {
            String secret = answer.strip();
            if (secret.isEmpty()) {
                return ConsoleReply.of("not logged in");
            }
            Authenticator.Outcome outcome = secret.indexOf('.') >= 0
                    ? auth.loginWithToken(secret, session.origin())
                    : auth.loginWithPin(secret.toCharArray(), session.origin());
            if (outcome instanceof Authenticator.LoggedIn in) {
                session.start(in.who());
                return ConsoleReply.of(loggedIn(in.who()));
            }
            return ConsoleReply.of(((Authenticator.Refused) outcome).message());
        });
    }

    private List<String> loggedIn(Principal who) {
        List<String> lines = new ArrayList<>();
        lines.add("logged in as " + who.actor() + who.name().map(n -> " (" + n + ")").orElse("") + ", role "
                + who.role().wire() + (who.method() == Principal.Method.PIN ? " (clinic PIN)" : " (technician token)"));
        who.expiresAt().ifPresent(t -> lines.add("the token expires " + TIME.format(t) + " UTC"));
        lines.add("what you change is audited; logout ends the session (also after "
                + ConsoleSession.minutes(access().orElseThrow().settings().idleTimeout()) + " without input)");
        return lines;
    }

    ConsoleReply logout(String rest) {
        if (!rest.isEmpty()) {
            return ConsoleReply.of("usage: logout (no arguments)");
        }
        return ConsoleReply.of(session.end("logout").map(s -> "logged out").orElse("not logged in"));
    }

    ConsoleReply whoami(String rest) {
        if (!rest.isEmpty()) {
            return ConsoleReply.of("usage: whoami (no arguments)");
        }
        if (session.who().isEmpty()) {
            return ConsoleReply.of(access().isEmpty() ? "not logged in; " + NO_ACCESS
                    : "not logged in (login: with the clinic PIN or a technician token)");
        }
        Principal p = session.who().get();
        List<String> lines = new ArrayList<>();
        lines.add("user    : " + p.actor() + p.name().map(n -> " (" + n + ")").orElse(""));
        lines.add("role    : " + p.role().wire());
        lines.add("method  : " + (p.method() == Principal.Method.PIN ? "clinic PIN"
                : "technician token " + p.tokenId().orElse("?") + " signed with key " + p.keyId().orElse("?")));
        lines.add("since   : " + TIME.format(session.startedAt()) + " UTC (session " + session.origin().session()
                + ", " + session.via() + ")");
        p.expiresAt().ifPresent(t -> lines.add("expires : " + TIME.format(t) + " UTC"));
        lines.add("idle    : logged out after " + ConsoleSession.minutes(access().orElseThrow().settings()
                .idleTimeout()) + " without input");
        return ConsoleReply.of(lines);
    }

    ConsoleReply passwd(String rest) {
        if (access().isEmpty()) {
            return ConsoleReply.of(NO_ACCESS);
        }
        Authenticator auth = access().get().authenticator();
        if (rest.equalsIgnoreCase("reset")) {
            return ConsoleReply.ask(List.of("a PIN reset token from Oviron sets a new clinic PIN (once)"),
                    "reset token: ", true, token -> newPin(pin -> auth.resetPin(token.strip(), pin, session.origin())));
        }
        if (!rest.isEmpty()) {
            return ConsoleReply.of("usage: passwd [reset]");
        }
        if (session.who().isEmpty()) {
            return ConsoleReply.of("passwd needs a login; a forgotten PIN is set again with a reset token from"
                    + " Oviron: passwd reset");
        }
        Principal who = session.who().get();
        if (who.method() == Principal.Method.PIN) {
            return ConsoleReply.ask(List.of(), "current PIN: ", true, current -> newPin(pin ->
                    auth.changePin(who, Optional.of(current.strip().toCharArray()), pin, session.origin())));
        }
        return newPin(pin -> auth.changePin(who, Optional.empty(), pin, session.origin()));
    }

    /** Asks for the new PIN twice, then sets it. */
    private ConsoleReply newPin(java.util.function.Function<char[], Optional<String>> set) {
        return ConsoleReply.ask(List.of(), "new PIN (6 to 12 digits): ", true, first ->
                ConsoleReply.ask(List.of(), "new PIN again: ", true, second -> {
                    if (!first.strip().equals(second.strip())) {
                        return ConsoleReply.of("the two PINs differ; nothing changed");
                    }
                    return ConsoleReply.of(set.apply(first.strip().toCharArray()).map(why -> "PIN not set: " + why)
                            .orElse("the clinic PIN is set"));
                }));
    }

    ConsoleReply consent(String rest) {
        if (access().isEmpty()) {
            return ConsoleReply.of("remote support is off on this unit (its configuration has no access section)");
        }
        var consent = access().get().consent();
        String[] words = rest.isEmpty() ? new String[0] : rest.split("\\s+");
        if (words.length == 0) {
            return ConsoleReply.of(consent.current().map(AccessWords::describe)
                    .orElse("remote support: not allowed (consent grant [minutes] allows it, the consent button too)"));
        }
        switch (words[0].toLowerCase(java.util.Locale.ROOT)) {
            case "revoke" -> {
                if (words.length != 1) {
                    return ConsoleReply.of("usage: consent revoke");
                }
                boolean had = consent.revoke(session.actor(), session.role(), session.origin());
                return ConsoleReply.of(had ? "remote support consent taken back; remote consoles are closed"
                        : "there was no consent to take back");
            }
            case "grant" -> {
                Duration length = consent.defaultLength();
                if (words.length > 2) {
                    return ConsoleReply.of(usageGrant(consent.maxLength()));
                }
                if (words.length == 2) {
                    try {
                        length = Duration.ofMinutes(Long.parseLong(words[1]));
                    } catch (NumberFormatException e) {
                        return ConsoleReply.of(usageGrant(consent.maxLength()));
                    }
                }
                if (session.who().isEmpty() || !session.who().get().role().covers(Role.CLINIC)) {
                    return ConsoleReply.of("consent grant needs a clinic or service login at the unit (type login)");
                }
                Optional<String> refused = consent.grant(length, session.actor(), session.role(), session.origin());
                if (refused.isPresent()) {
                    return ConsoleReply.of("consent not granted: " + refused.get());
                }
                return ConsoleReply.of(describe(consent.current().orElseThrow()),
                        "take it back any time with: consent revoke");
            }
            default -> {
                return ConsoleReply.of("usage: consent [grant [minutes] | revoke]");
            }
        }
    }

    private static String usageGrant(Duration max) {
        return "usage: consent grant [minutes 1.." + max.toMinutes() + "]";
    }

    static String describe(ConsentGrant g) {
        return "remote support: allowed until " + TIME.format(g.until()) + " UTC (granted by " + g.by() + " at "
                + TIME.format(g.grantedAt()) + " UTC, " + g.via() + ")";
    }

    ConsoleReply serviceRecord(String rest) {
        if (!rest.isEmpty()) {
            return ConsoleReply.of("usage: service-record (no arguments)");
        }
        Optional<ServiceRecords.Session> s = session.recordSession();
        if (s.isEmpty()) {
            return ConsoleReply.of("service-record needs a login: it records the session of who is logged in");
        }
        Optional<ServiceRecords> records = session.access().records().get();
        if (records.isEmpty()) {
            return ConsoleReply.of("this unit cannot sign service records now (its key or the record folder is not"
                    + " available)");
        }
        try {
            return ConsoleReply.of(records.get().write(s.get()));
        } catch (IOException | RuntimeException e) {
            return ConsoleReply.of("the service record could not be written: " + e.getMessage());
        }
    }

    ConsoleReply audit(String rest) {
        if (session.who().isEmpty()) {
            return ConsoleReply.of("audit needs a login");
        }
        int count = DEFAULT_AUDIT_LINES;
        if (!rest.isEmpty()) {
            try {
                count = Integer.parseInt(rest);
            } catch (NumberFormatException e) {
                count = -1;
            }
            if (count < 1 || count > MAX_AUDIT_LINES) {
                return ConsoleReply.of("usage: audit [count 1.." + MAX_AUDIT_LINES + "]");
            }
        }
        try {
            List<AuditEntry> entries = session.access().auditor().newest(count);
            List<List<String>> rows = new ArrayList<>();
            for (int i = entries.size() - 1; i >= 0; i--) {
                AuditEntry e = entries.get(i);
                rows.add(List.of(TIME.format(Instant.ofEpochMilli(e.atMillis())), e.actor(), e.via(), e.action(),
                        e.outcome()));
            }
            List<String> lines = new ArrayList<>(rows.isEmpty() ? List.of("no entries")
                    : ConsoleFormat.table(List.of("time (UTC)", "who", "via", "what", "result"), rows));
            long removed = session.access().auditor().removed();
            if (removed > 0) {
                lines.add(removed + " older entries were removed (the unit keeps the newest "
                        + session.access().auditor().maxEntries() + "; the cloud has them all)");
            }
            return ConsoleReply.of(lines);
        } catch (StoreException e) {
            return ConsoleReply.of("the audit trail could not be read: " + e.getMessage());
        }
    }

    private static String seconds(Duration d) {
        return Authenticator.seconds(d);
    }
}
