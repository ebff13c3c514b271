package com.oviron.callidus.tools.remote;

import com.oviron.callidus.cloud.TlsSettings;
import com.oviron.callidus.cloud.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * {@code remote-console}: an interactive terminal on a unit whose clinic has granted remote support
 * (docs/console.md, "Remote support"), for Oviron's service engineers. Raw mode while connected; Ctrl-] leaves.
 */
public final class RemoteConsoleCommand {
    static final String USAGE = """
            Usage: java -jar tools/target/callidus-tools.jar remote-console --broker <uri> --device <unit id>
                   [--operator <your name>] [--session <id>] [--client-id <id>]
                   [--ca <ca.pem> [--cert <you.pem> --key <you.key>] [--no-hostname-check]]
                   [--username <name> --password-env <VARIABLE>] [--timeout <seconds, default 30>]

              Opens the unit's console over the broker (command console.open) and connects this terminal to it.
              The unit answers only while a person at the unit has granted remote support (consent grant, or
              the consent button); otherwise: refused not_consented. Log in on the unit's console with your
              technician token (login). Ctrl-] leaves (console.close). The session also ends when it is idle,
              after its longest time, or when the clinic takes the consent back.

              Exit 0 after the session, 3 refused not_consented, 1 other refusals and errors, 2 usage.
            """;

    private RemoteConsoleCommand() {
    }

    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        Map<String, String> o;
        try {
            o = options(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (o.containsKey("help")) {
            out.print(USAGE);
            return 0;
        }
        String device = o.get("device");
        if (o.get("broker") == null || device == null || !Topics.isValidDeviceId(device)) {
            err.println("error: --broker and a valid --device are required");
            err.print(USAGE);
            return 2;
        }
        Optional<TlsSettings> tls = o.containsKey("ca") ? Optional.of(new TlsSettings(Path.of(o.get("ca")),
                Optional.ofNullable(o.get("cert")).map(Path::of), Optional.ofNullable(o.get("key")).map(Path::of),
                Optional.empty(), Optional.empty(), !o.containsKey("no-hostname-check"))) : Optional.empty();
        Optional<char[]> password = Optional.ofNullable(o.get("password-env")).map(System::getenv)
                .map(String::toCharArray);
        int timeout;
        try {
            timeout = Integer.parseInt(o.getOrDefault("timeout", "30"));
        } catch (NumberFormatException e) {
            err.println("error: --timeout must be whole seconds");
            return 2;
        }
        String session = o.getOrDefault("session", RemoteConsoleSession.newSessionId());
        try (CloudConsoleLink link = PahoCloudConsoleLink.connect(o.get("broker"), o.getOrDefault("client-id",
                "callidus-remote-" + UUID.randomUUID().toString().substring(0, 8)), tls,
                Optional.ofNullable(o.get("username")), password)) {
            RemoteConsoleSession s = new RemoteConsoleSession(link, device, session,
                    Optional.ofNullable(o.get("operator")), Duration.ofSeconds(timeout));
            RemoteConsoleSession.Opened opened = s.open();
            if (!opened.ok()) {
                err.println("refused: " + opened.code() + ": " + opened.message());
                return opened.code().equals("not_consented") ? 3 : 1;
            }
            out.println("connected to " + device + " (session " + session + ", remote support allowed until "
                    + Instant.ofEpochMilli(opened.result().get("consentUntil").getAsLong()) + "); Ctrl-] leaves");
            String reason;
            Optional<RawTerminal> raw = RawTerminal.enter();
            try {
                reason = s.run(in, out);
            } finally {
                raw.ifPresent(RawTerminal::close);
            }
            out.print("\r\n[remote console ended: " + reason + "]\r\n");
            out.flush();
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static Map<String, String> options(String[] args) {
        Set<String> valued = Set.of("broker", "device", "operator", "session", "client-id", "ca", "cert", "key",
                "username", "password-env", "timeout");
        Set<String> flags = Set.of("help", "no-hostname-check");
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            if (flags.contains(name)) {
                o.put(name, "true");
            } else if (valued.contains(name) && i + 1 < args.length) {
                o.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException(valued.contains(name) ? a + " needs a value" : "unknown option " + a);
            }
        }
        return o;
    }

}
