package com.oviron.callidus.agent.console;

import com.google.gson.JsonObject;
import com.oviron.callidus.agent.access.Access;
import com.oviron.callidus.agent.access.Auditor;
import com.oviron.callidus.agent.access.Consent;
import com.oviron.callidus.agent.access.ConsentGrant;
import com.oviron.callidus.agent.access.Origin;
import com.oviron.callidus.cloud.command.Command;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.command.CommandException;
import com.oviron.callidus.cloud.command.ErrorCode;
import com.oviron.callidus.cloud.console.ConsoleFrame;
import com.oviron.callidus.cloud.console.RemoteConsoleLink;
import com.oviron.callidus.cloud.console.RemoteConsoleStream;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Pattern;
import org.tinylog.Logger;

/**
 * Remote support (issue 14, docs/console.md "Remote support"): Oviron's service staff open the unit's console
 * over the cloud link with the command {@code console.open}, only while a person at the unit has granted
 * consent ({@link Consent}); otherwise the command is refused {@code not_consented} (and, like every command
 * that changes something, audited). The remote console is a {@link FieldConsole} of its own, with its own login
 * (the remote engineer logs in with their technician token), on the byte stream of {@link RemoteConsoleLink}.
 * It ends on {@code console.close}, when idle, after the longest time, when the consent is revoked or ends, when
 * the link or the subscription goes, and when the agent stops. One session at a time.
 */
public final class RemoteConsoles implements AutoCloseable {
    private static final Pattern OPERATOR = Pattern.compile("[A-Za-z0-9._@ -]{1,64}");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneOffset.UTC);

    private final RemoteConsoleLink link;
    private final CommandChannel channel;
    private final ConsoleAccess consoleAccess;
    private final Access access;
    private final Clock clock;
    private FieldConsole console;
    private RemoteConsoleStream stream;
    private volatile java.util.function.Consumer<String> notices = n -> { };

    public RemoteConsoles(RemoteConsoleLink link, CommandChannel channel, ConsoleAccess consoleAccess, Clock clock) {
        this.link = link;
        this.channel = channel;
        this.consoleAccess = consoleAccess;
        this.access = consoleAccess.access().orElseThrow(() -> new IllegalArgumentException(
                "a remote console needs the access section"));
        this.clock = clock;
        access.consent().addListener(e -> {
            if (e.change() != Consent.Change.GRANTED) {
                link.current().ifPresent(s -> s.end(e.change() == Consent.Change.REVOKED ? "consent_revoked"
                        : "consent_ended"));
            }
        });
    }

    /** Where to tell the person at the unit that a remote console opened or ended (the serial console). */
    public void onNotice(java.util.function.Consumer<String> notices) {
        this.notices = java.util.Objects.requireNonNull(notices, "notices");
    }

    /** Registers {@code console.open} and {@code console.close}. */
    public void registerOn(CommandChannel commands) {
        commands.register("console.open", this::open);
        commands.register("console.close", this::closeCommand);
    }

    private synchronized JsonObject open(Command command) throws CommandException {
        var args = command.arguments().allowOnly("session", "operator");
        String session = args.string("session", ConsoleFrame.SESSION, 64);
        Optional<String> operator = args.optionalString("operator");
        if (operator.isPresent() && !OPERATOR.matcher(operator.get()).matches()) {
            throw CommandException.invalidArgument("operator", "must be 1 to 64 characters matching "
                    + OPERATOR.pattern());
        }
        Optional<ConsentGrant> consent = access.consent().current();
        if (consent.isEmpty()) {
            throw new CommandException(ErrorCode.NOT_CONSENTED, "no person at the unit has allowed remote support"
                    + " now (consent grant at the unit's console, or its consent button)");
        }
        Optional<RemoteConsoleStream> open = link.current();
        if (open.isPresent()) {
            if (open.get().session().equals(session)) {
                return describe(session, consent.get());
            }
            throw new CommandException(ErrorCode.BUSY, "remote console session " + open.get().session()
                    + " is open; close it first (console.close) or wait until it ends");
        }
        String who = operator.orElse("cloud");
        if (console != null) {
            console.close(); // the last session's console, which ended with it
        }
        RemoteConsoleStream s = link.open(session, access.settings().remoteIdle(), access.settings().remoteMaxTime(),
                reason -> ended(session, who, reason));
        stream = s;
        console = FieldConsole.remote(new RemoteConsoleTransport(s), channel, consoleAccess,
                "CALLIDUS remote console of " + consoleAccess.deviceId() + " (remote support allowed until "
                        + TIME.format(consent.get().until()) + " UTC); type help for the commands", clock);
        console.start();
        notices.accept("[remote] Oviron's service opened a remote console (" + who + ", session " + session + ")");
        return describe(session, consent.get());
    }

    private JsonObject describe(String session, ConsentGrant consent) {
        JsonObject r = new JsonObject();
        r.addProperty("session", session);
        r.addProperty("idleSeconds", access.settings().remoteIdle().toSeconds());
        r.addProperty("maxSeconds", access.settings().remoteMaxTime().toSeconds());
        r.addProperty("consentUntil", consent.until().toEpochMilli());
        return r;
    }

    private void ended(String session, String operator, String reason) {
        JsonObject details = new JsonObject();
        details.addProperty("session", session);
        details.addProperty("reason", reason);
        access.auditor().record(Auditor.REMOTE_CONSOLE, "remote_console_closed", operator, "-",
                Origin.of(Origin.REMOTE_CONSOLE), details, "ok", true);
        notices.accept("[remote] the remote console ended (" + reason + ")");
    }

    private JsonObject closeCommand(Command command) throws CommandException {
        String session = command.arguments().allowOnly("session").string("session", ConsoleFrame.SESSION, 64);
        Optional<RemoteConsoleStream> open = link.current().filter(s -> s.session().equals(session));
        open.ifPresent(s -> s.end("closed"));
        JsonObject r = new JsonObject();
        r.addProperty("closed", open.isPresent());
        return r;
    }

    /** Ends an open session ({@code unit_stopping}) and stops its console. */
    @Override
    public synchronized void close() {
        if (stream != null) {
            stream.end("unit_stopping");
        }
        if (console != null) {
            console.close();
        }
        Logger.debug("remote consoles closed");
    }
}
