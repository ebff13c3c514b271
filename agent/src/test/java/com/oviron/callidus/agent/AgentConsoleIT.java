package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.agent.subscription.SubscriptionToken;
import com.oviron.callidus.agent.subscription.TokenSigner;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.hal.SerialLine;
import com.oviron.callidus.hal.SerialSettings;
import com.oviron.callidus.hal.fake.ScriptedSensorPort;
import com.oviron.callidus.hal.serial.JsscSerialLine;
import com.oviron.callidus.hal.testing.SocatPty;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The field technician at the agent's serial console (a socat pseudo-terminal pair, as the unit's service
 * port): the subscription notice at login, diagnostics that work without a subscription, and a token pasted
 * offline that switches the cloud services on.
 */
class AgentConsoleIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String DEVICE = "CAL-CON-1";

    @TempDir
    Path dir;
    private final StringBuilder seen = new StringBuilder();

    @Test
    void a_technician_reads_diagnostics_and_pastes_a_token() throws Exception {
        KeyPair vendor = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String pem = "-----BEGIN PUBLIC KEY-----\\n" + Base64.getEncoder().encodeToString(vendor.getPublic()
                .getEncoded()) + "\\n-----END PUBLIC KEY-----\\n";
        try (SocatPty pty = new SocatPty(java.nio.file.Files.createDirectories(dir.resolve("pty")));
             EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"))) {
            AgentConfig config = AgentConfigLoader.parse("""
                    {"device": {"id": "%s"},
                     "hal": {"source": "simulator", "samplePeriod": "50ms"},
                     "store": {"path": "agent.db"},
                     "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "50ms", "reconnectMax": "300ms"},
                     "subscription": {"keys": {"k1": "%s"}},
                     "console": {"device": "%s"}}
                    """.formatted(DEVICE, broker.uri(), pem, pty.a()), dir);
            Agent agent = Agent.start(config, new ScriptedSensorPort(Clock.systemUTC(), 3), Clock.systemUTC());
            try (SerialLine terminal = JsscSerialLine.open(SerialSettings.of(pty.b().toString(), 115_200))) {
                // opening the terminal end clears what the console wrote before, and the console opens its end in
                // its own time: Enter until a prompt comes
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (true) {
                    int mark0 = seen.length();
                    type(terminal, "\r");
                    try {
                        readUntil(terminal, mark0, DEVICE + "> $", Duration.ofSeconds(1));
                        break;
                    } catch (AssertionError notYet) {
                        if (System.nanoTime() > deadline) {
                            throw notYet;
                        }
                    }
                }

                int mark = seen.length();
                type(terminal, "diag\r");
                // the Enters typed while the console was not yet listening may still be answered with prompts:
                // wait for the diag's own output, then its prompt
                String diag = readUntil(terminal, mark, "ch2[\\s\\S]*" + DEVICE + "> $");
                assertTrue(seen.toString().contains("no subscription token"), "the notice at login:\n" + seen);
                assertTrue(diag.contains("ch0") && diag.contains("ch2"), "every channel, whatever the subscription:\n"
                        + diag);

                Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
                String token = TokenSigner.sign(new SubscriptionToken("oviron-subscriptions", DEVICE, now, 1,
                        LocalDate.now(ZoneOffset.UTC).minusDays(10), Optional.empty(), Optional.empty(), 15, now),
                        "k1", vendor.getPrivate());
                mark = seen.length();
                type(terminal, "token " + token + "\r");
                String installed = readUntil(terminal, mark, "(?i)active[\\s\\S]*" + DEVICE + "> $");
                assertTrue(installed.toLowerCase(java.util.Locale.ROOT).contains("active"), installed);
                assertTrue(agent.subscription().orElseThrow().cloudServicesAllowed());
            } finally {
                agent.close();
            }
        }
    }

    private static void type(SerialLine terminal, String text) throws java.io.IOException {
        terminal.write(text.getBytes(StandardCharsets.UTF_8));
    }

    private String readUntil(SerialLine terminal, int from, String pattern) throws java.io.IOException {
        return readUntil(terminal, from, pattern, WAIT);
    }

    private String readUntil(SerialLine terminal, int from, String pattern, Duration wait) throws java.io.IOException {
        Pattern p = Pattern.compile(pattern);
        long deadline = System.nanoTime() + wait.toNanos();
        byte[] buffer = new byte[4096];
        while (!p.matcher(seen.substring(from)).find() || seen.length() == from) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for /" + pattern + "/; got: " + seen.substring(from));
            }
            int n = terminal.read(buffer, 0, buffer.length, Duration.ofMillis(200));
            seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        return seen.substring(from);
    }
}
