package com.oviron.callidus.tools.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import com.oviron.callidus.agent.Agent;
import com.oviron.callidus.agent.AgentConfig;
import com.oviron.callidus.agent.AgentConfigLoader;
import com.oviron.callidus.agent.access.AccessTokens;
import com.oviron.callidus.agent.access.Role;
import com.oviron.callidus.agent.access.TechnicianToken;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.hal.fake.ScriptedSensorPort;
import com.oviron.callidus.hal.pi4j.Pi4jGpioPort;
import com.oviron.callidus.hal.testing.SerialTerminal;
import com.oviron.callidus.hal.testing.SocatPty;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote support end to end through a real broker: the engineer's side of {@code tools remote-console}
 * against the agent, with the person at the unit at its serial console (a socat pseudo-terminal pair) and its
 * consent button (GPIO on Pi4J's mock provider). Refused without consent; with it, a word typed remotely runs and
 * its answer comes back; the session ends when the button takes the consent back, when the consent runs out,
 * and when the engineer leaves with Ctrl-]. The last part runs the packaged tool in a pseudo-terminal.
 */
class RemoteConsoleIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String DEVICE = "CAL-REM-1";
    private static final String PROMPT = DEVICE + "> ";

    @TempDir
    Path dir;
    private final KeyPair oviron = newKeyPair();
    private EmbeddedBroker broker;
    private SocatPty pty;
    private Agent agent;
    private SerialTerminal unit;

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedBroker.start(dir.resolve("broker"));
        pty = new SocatPty(Files.createDirectories(dir.resolve("pty")));
        String pem = Base64.getEncoder().encodeToString(oviron.getPublic().getEncoded());
        AgentConfig config = AgentConfigLoader.parse("""
                {"device": {"id": "%s"}, "hal": {"source": "simulator"},
                 "store": {"path": "data/agent.db"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "50ms", "reconnectMax": "300ms"},
                 "gpio": {"provider": "mock",
                          "lines": {"consent_button": {"direction": "input", "pin": 5, "activeLow": true,
                                                       "debounce": "10ms"}}},
                 "console": {"device": "%s"},
                 "access": {"keys": {"t1": "-----BEGIN PUBLIC KEY-----\\n%s\\n-----END PUBLIC KEY-----\\n"},
                            "consentButton": "consent_button", "consentHold": "300ms", "consentDefault": "10s",
                            "pinIterations": 10000}}
                """.formatted(DEVICE, broker.uri(), pty.a(), pem), dir);
        agent = Agent.start(config, new ScriptedSensorPort(Clock.systemUTC(), 2), Clock.systemUTC());
        unit = new SerialTerminal(pty.b(), WAIT);
        unit.awaitPrompt(PROMPT);
    }

    @AfterEach
    void stop() {
        if (unit != null) {
            unit.close();
        }
        if (agent != null) {
            agent.close();
        }
        pty.close();
        broker.close();
    }

    private RemoteConsoleSession engineer(PahoCloudConsoleLink link, String session) {
        return new RemoteConsoleSession(link, DEVICE, session, Optional.of("ana@oviron"), Duration.ofSeconds(30));
    }

    private PahoCloudConsoleLink connect(String clientId) throws IOException {
        return PahoCloudConsoleLink.connect(broker.uri(), clientId, Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /** The person at the unit presses the consent button until the console shows the consent changed. */
    private void pressButton(String until) throws IOException {
        Pi4jGpioPort gpio = (Pi4jGpioPort) agent.gpioPort().orElseThrow();
        gpio.simulateRaw("consent_button", false); // active low: pressed
        try {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!unit.run("consent", PROMPT).contains(until)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the consent did not change: " + unit.seen());
                }
            }
        } finally {
            gpio.simulateRaw("consent_button", true);
        }
    }

    private String token() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return AccessTokens.sign(new TechnicianToken("oviron-service", "T-7", Optional.empty(), Role.CLINIC, DEVICE,
                now.minusSeconds(60), now.plusSeconds(3600), "j-7"), "t1", oviron.getPrivate());
    }

    /** The engineer's session running with piped keyboard and a screen the test reads. */
    private record Running(PipedOutputStream keys, ByteArrayOutputStream screen, CompletableFuture<String> ended) {
        String text() {
            synchronized (screen) {
                return screen.toString(StandardCharsets.UTF_8);
            }
        }
    }

    private static Running run(RemoteConsoleSession s) throws IOException {
        PipedOutputStream keys = new PipedOutputStream();
        PipedInputStream keyboard = new PipedInputStream(keys, 64 * 1024);
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        java.io.OutputStream synced = new java.io.OutputStream() {
            @Override
            public void write(int b) {
                synchronized (screen) {
                    screen.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (screen) {
                    screen.write(b, off, len);
                }
            }
        };
        CompletableFuture<String> ended = CompletableFuture.supplyAsync(() -> {
            try {
                return s.run(keyboard, synced);
            } catch (IOException e) {
                return "error " + e.getMessage();
            }
        });
        return new Running(keys, screen, ended);
    }

    @Test
    void refused_without_consent_works_with_it_and_ends_when_it_is_taken_back_or_runs_out() throws Exception {
        try (PahoCloudConsoleLink link = connect("engineer-1");
             CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-events", Topics.allEvents(),
                     Topics.allStatus())) {
            awaitOnline(cloud);

            // nobody at the unit has allowed it: refused, and the refusal is audited
            RemoteConsoleSession.Opened refused = engineer(link, "rc-1").open();
            assertFalse(refused.ok());
            assertEquals("not_consented", refused.code());
            Await.until("the refusal in the audit trail", WAIT, () -> cloud.receivedOn(new Topics(DEVICE).events())
                    .stream().map(r -> new String(r.payload(), StandardCharsets.UTF_8)).anyMatch(e ->
                            e.contains("audit.command") && e.contains("action=console.open actor=cloud")
                                    && e.contains("refused (not_consented)")));

            // the clinic logs in at the unit and allows remote support for 30 minutes
            unit.run("login", "PIN or technician token: ");
            int mark = unit.mark();
            unit.paste(token() + "\r");
            unit.readUntil(mark, Pattern.quote(DEVICE + " [T-7 clinic]> ") + "\\z");
            assertTrue(unit.run("consent grant 30", DEVICE + " [T-7 clinic]> ").contains("remote support: allowed"));
            unit.run("logout", PROMPT);

            // the engineer connects; a word typed remotely runs on the unit and its answer comes back
            RemoteConsoleSession s = engineer(link, "rc-2");
            int before = unit.mark();
            assertTrue(s.open().ok());
            unit.readUntil(before, Pattern.quote("[remote] Oviron's service opened a remote console (ana@oviron,"
                    + " session rc-2)"));
            Running r = run(s);
            Await.until(() -> "the remote prompt; screen: " + r.text(), WAIT, () -> r.text().endsWith(PROMPT));
            r.keys().write("status\r".getBytes(StandardCharsets.US_ASCII));
            r.keys().flush();
            Await.until(() -> "the answer; screen: " + r.text(), WAIT, () -> Pattern.compile("device +: " + DEVICE)
                    .matcher(r.text()).find());

            // the person at the unit takes the consent back with the button: the remote console ends
            int pressed = unit.mark();
            pressButton("not allowed");
            assertEquals("consent_revoked", r.ended().get(60, TimeUnit.SECONDS));
            unit.readUntil(pressed, Pattern.quote("[consent] remote support taken back (by button)"));

            // the button again allows it, for 10 s (consentDefault): the remote console ends when it runs out
            pressButton("allowed until");
            RemoteConsoleSession[] opened = new RemoteConsoleSession[1];
            Await.until("a session opened while the short consent lasts", WAIT, () -> {
                try {
                    RemoteConsoleSession t = engineer(link, "rc-3-" + System.nanoTime());
                    if (t.open().ok()) {
                        opened[0] = t;
                        return true;
                    }
                    pressButton("allowed until"); // only on a machine so slow that 10 s passed: allow again
                    return false;
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            Running shortOne = run(opened[0]);
            assertEquals("consent_ended", shortOne.ended().get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void the_packaged_tool_in_a_terminal_runs_a_word_and_leaves_with_ctrl_right_bracket() throws Exception {
        Path tool = Path.of("target", "callidus-tools.jar");
        assertTrue(Files.exists(tool), "run after package: " + tool.toAbsolutePath());
        try (CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-status", Topics.allStatus())) {
            awaitOnline(cloud);
        }
        unit.run("login", "PIN or technician token: ");
        int mark = unit.mark();
        unit.paste(token() + "\r");
        unit.readUntil(mark, Pattern.quote(DEVICE + " [T-7 clinic]> ") + "\\z");
        unit.run("consent grant 30", DEVICE + " [T-7 clinic]> ");

        // script(1) gives the tool a pseudo-terminal: it sets it raw with stty and restores it when it leaves
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = java + " -jar " + tool.toAbsolutePath() + " remote-console --broker " + broker.uri()
                + " --device " + DEVICE + " --operator it";
        Process p = new ProcessBuilder("script", "-q", "-e", "-c", command, "/dev/null").redirectErrorStream(true)
                .start();
        StringBuilder screen = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                byte[] b = new byte[4096];
                int n;
                while ((n = p.getInputStream().read(b)) > 0) {
                    synchronized (screen) {
                        screen.append(new String(b, 0, n, StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            Await.until(() -> "the remote prompt; screen: " + screen, WAIT, () -> {
                synchronized (screen) {
                    return screen.toString().endsWith(PROMPT);
                }
            });
            p.getOutputStream().write("status\r".getBytes(StandardCharsets.US_ASCII));
            p.getOutputStream().flush();
            Await.until(() -> "the answer; screen: " + screen, WAIT, () -> {
                synchronized (screen) {
                    return Pattern.compile("device +: " + DEVICE).matcher(screen).find();
                }
            });
            p.getOutputStream().write(0x1d);
            p.getOutputStream().flush();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the tool left on Ctrl-]: " + screen);
            assertEquals(0, p.exitValue(), screen.toString());
            reader.join(10_000);
            synchronized (screen) {
                assertTrue(screen.toString().contains("[remote console ended: left]"), screen.toString());
                assertFalse(screen.toString().contains("could not restore the terminal"), screen.toString());
            }
        } finally {
            p.destroyForcibly();
        }
        // the unit closed its side: a new session may be opened at once
        try (PahoCloudConsoleLink link = connect("engineer-2")) {
            assertTrue(engineer(link, "rc-after").open().ok());
        }
    }

    /** The unit announces online once every subscription (commands, console input) is in place. */
    private static void awaitOnline(CloudSubscriber cloud) {
        Await.until("the unit online", WAIT, () -> {
            byte[] status = cloud.last(new Topics(DEVICE).status());
            return status != null && new String(status, StandardCharsets.UTF_8).contains("\"state\":\"online\"");
        });
    }

    private static KeyPair newKeyPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
