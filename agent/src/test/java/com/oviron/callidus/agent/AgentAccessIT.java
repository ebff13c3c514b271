package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.agent.access.AccessTokens;
import com.oviron.callidus.agent.access.PinResetToken;
import com.oviron.callidus.agent.access.Role;
import com.oviron.callidus.agent.access.TechnicianToken;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.hal.testing.SerialTerminal;
import com.oviron.callidus.hal.testing.SocatPty;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Technician access on the packaged agent (a child JVM), at its serial console (a socat pseudo-terminal pair,
 * typed byte by byte), with a real broker: read-only words without login, changes refused without it,
 * technician tokens (valid, expired, another unit's, another key's), the clinic PIN with its lockout growing
 * across a restart, a PIN reset by a reset token, the idle logout, an audited settings change on the events
 * topic, and a service record that openssl verifies from the unit's public key alone.
 */
class AgentAccessIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path JAR = Path.of("target", "callidus-agent.jar");
    private static final String DEVICE = "CAL-ACC-1";
    private static final String PROMPT = DEVICE + "> ";
    private static final String SERVICE_PROMPT = DEVICE + " [T-4711 service]> ";
    private static final String CLINIC_PROMPT = DEVICE + " [clinic]> ";
    private static final String ASK = "PIN or technician token: ";

    @TempDir
    Path dir;
    private final KeyPair oviron = newKeyPair();
    private EmbeddedBroker broker;
    private SocatPty pty;
    private Process agent;
    private SerialTerminal terminal;
    private int runs;

    @BeforeEach
    void start() throws Exception {
        assertTrue(Files.exists(JAR), "run after package: " + JAR.toAbsolutePath());
        broker = EmbeddedBroker.start(dir.resolve("broker"));
        pty = new SocatPty(Files.createDirectories(dir.resolve("pty")));
        Files.createDirectories(dir.resolve("settings"));
    }

    @AfterEach
    void stop() throws Exception {
        stopAgent();
        pty.close();
        broker.close();
    }

    private void startAgent(String idleTimeout) throws IOException {
        String pem = Base64.getEncoder().encodeToString(oviron.getPublic().getEncoded());
        Files.writeString(dir.resolve("agent.json"), """
                {"device": {"id": "%s"},
                 "hal": {"source": "simulator", "samplePeriod": "200ms"},
                 "store": {"path": "data/agent.db"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "100ms", "reconnectMax": "1s"},
                 "settings": {"folder": "settings", "quietPeriod": "0ms"},
                 "console": {"device": "%s"},
                 "access": {"keys": {"t1": "-----BEGIN PUBLIC KEY-----\\n%s\\n-----END PUBLIC KEY-----\\n"},
                            "lockoutFirst": "4s", "pinIterations": 10000, "idleTimeout": "%s"}}
                """.formatted(DEVICE, broker.uri(), pty.a(), pem, idleTimeout));
        Path log = dir.resolve("agent-" + (++runs) + ".log");
        agent = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toString(), "--config", dir.resolve("agent.json").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        terminal = new SerialTerminal(pty.b(), WAIT);
        terminal.awaitPrompt(PROMPT);
    }

    private void stopAgent() throws Exception {
        if (terminal != null) {
            terminal.close();
            terminal = null;
        }
        if (agent != null) {
            agent.destroy();
            assertTrue(agent.waitFor(30, TimeUnit.SECONDS), "agent stopped on SIGTERM");
            agent = null;
        }
    }

    /** Stops the agent and starts it again on fresh console devices (the pair goes with the agent's end). */
    private void restartAgent(String idleTimeout) throws Exception {
        stopAgent();
        pty.stop();
        pty.start();
        startAgent(idleTimeout);
    }

    private String token(String technician, Role role, String device, Instant iat, Instant exp, KeyPair key) {
        return AccessTokens.sign(new TechnicianToken("oviron-service", technician, Optional.of("Maria Ivanova"), role,
                device, iat, exp, "jti-" + System.nanoTime()), "t1", key.getPrivate());
    }

    private String validToken() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return token("T-4711", Role.SERVICE, DEVICE, now.minusSeconds(60), now.plusSeconds(8 * 3600), oviron);
    }

    /** login, then the secret pasted at the masked question; returns what the console said. */
    private String login(String secret, String promptAfter) throws IOException {
        terminal.run("login", ASK);
        int mark = terminal.mark();
        terminal.paste(secret + "\r");
        return terminal.readUntil(mark, Pattern.quote(promptAfter) + "\\z");
    }

    @Test
    void a_technicians_visit_at_the_serial_console() throws Exception {
        try (CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-acc", Topics.allEvents(),
                "callidus/v1/+/file/offer")) {
            startAgent("10m");

            // reading needs no login; a change is refused without one
            assertTrue(terminal.run("status", PROMPT).contains("device"));
            assertTrue(terminal.run("help login", PROMPT).contains("example: login"));
            String refused = terminal.run("cmd settings.put {\"documents\":[{\"name\":\"installation.json\","
                    + "\"content\":{\"light\":70}}]}", PROMPT);
            assertTrue(refused.contains("\"code\": \"login_needed\""), refused);
            assertFalse(Files.exists(dir.resolve("settings/installation.json")));

            // technician tokens: expired, another unit's, another key's are refused; a valid one logs in
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            assertTrue(login(token("T-4711", Role.SERVICE, DEVICE, now.minusSeconds(7200), now.minusSeconds(60),
                    oviron), PROMPT).contains("token refused: expired"));
            assertTrue(login(token("T-4711", Role.SERVICE, "CAL-OTHER", now.minusSeconds(60), now.plusSeconds(3600),
                    oviron), PROMPT).contains("token refused: wrong_device"));
            assertTrue(login(token("T-4711", Role.SERVICE, DEVICE, now.minusSeconds(60), now.plusSeconds(3600),
                    newKeyPair()), PROMPT).contains("token refused: bad_signature"));
            String in = login(validToken(), SERVICE_PROMPT);
            assertTrue(in.contains("logged in as T-4711 (Maria Ivanova), role service (technician token)"), in);

            // the service technician sets the clinic PIN: typed, never shown
            terminal.run("passwd", "new PIN (6 to 12 digits): ");
            String first = terminal.run("482913", "new PIN again: ");
            assertTrue(first.startsWith("******\r\n"), first);
            assertTrue(terminal.run("482913", SERVICE_PROMPT).contains("the clinic PIN is set"));
            assertFalse(terminal.seen().contains("482913"));

            // an audited settings change, on the events topic
            String put = terminal.run("cmd settings.put {\"documents\":[{\"name\":\"installation.json\","
                    + "\"content\":{\"light\":70}}]}", SERVICE_PROMPT);
            assertTrue(put.contains("\"ok\": true"), put);
            Await.until("the audit event of the change", WAIT, () -> events(cloud).stream().anyMatch(e ->
                    e.get("kind").getAsString().equals("audit.command") && e.get("severity").getAsString().equals("audit")
                            && e.get("message").getAsString().startsWith("action=settings.put actor=T-4711 role=service"
                            + " via=console")));
            assertTrue(events(cloud).stream().anyMatch(e -> e.get("kind").getAsString().equals("audit.login")
                    && e.get("message").getAsString().contains("action=login_failed")), "failed logins are audited");

            // the service record: printed, saved, sent, and openssl verifies it from the unit's public key alone
            String record = terminal.run("service-record", SERVICE_PROMPT);
            assertTrue(record.contains("SERVICE RECORD sr-" + DEVICE), record);
            assertTrue(record.contains("settings.put"), record);
            assertTrue(record.contains("being sent to the cloud"), record);
            verifyRecordWithOpenssl();
            Await.until("the record's upload offered to the cloud", WAIT, () -> cloud.receivedOn(
                    "callidus/v1/" + DEVICE + "/file/offer").stream().anyMatch(r -> new String(r.payload(),
                    StandardCharsets.UTF_8).contains("\"kind\":\"service_record\"")));
            assertTrue(terminal.run("logout", PROMPT).contains("logged out"));

            // wrong PINs: three lock for 4 s, the fourth for 8 s, and after a restart the fifth for 16 s
            for (String wrong : List.of("111111", "222222")) {
                assertTrue(login(wrong, PROMPT).contains("wrong PIN"));
            }
            assertTrue(login("333333", PROMPT).contains("the PIN login is locked for 4 s (3 wrong PINs in a row)"));
            awaitUnlocked();
            assertTrue(login("444444", PROMPT).contains("locked for 8 s (4 wrong PINs in a row)"));
            restartAgent("10m");
            awaitUnlocked();
            assertTrue(login("555555", PROMPT).contains("locked for 16 s (5 wrong PINs in a row)"),
                    "the count survived the restart");

            // a PIN reset token from Oviron sets a new PIN at once, lock or not
            Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            String reset = AccessTokens.sign(new PinResetToken("oviron-service", "support-ana", DEVICE,
                    t.minusSeconds(60), t.plusSeconds(3600), "r-" + System.nanoTime()), "t1", oviron.getPrivate());
            terminal.run("passwd reset", "reset token: ");
            int mark = terminal.mark();
            terminal.paste(reset + "\r");
            terminal.readUntil(mark, Pattern.quote("new PIN (6 to 12 digits): ") + "\\z");
            terminal.run("135790", "new PIN again: ");
            assertTrue(terminal.run("135790", PROMPT).contains("the clinic PIN is set"));
            assertTrue(login("135790", CLINIC_PROMPT).contains("logged in as clinic"));
            assertTrue(terminal.run("cmd update.cancel", CLINIC_PROMPT).contains("\"code\": \"not_permitted\""),
                    "the clinic may not do what only service may");
            assertFalse(terminal.seen().contains(reset.split("\\.")[2]), "a token's signature is never echoed");

            // a session ends by itself after the idle time
            restartAgent("3s");
            terminal.run("login", ASK);
            int idle = terminal.mark();
            terminal.paste(validToken() + "\r");
            terminal.readUntil(idle, "logged in as T-4711");
            terminal.readUntil(idle, Pattern.quote("[access] T-4711 logged out (no input for 3 s)") + "[\\s\\S]*"
                    + Pattern.quote(PROMPT) + "\\z");
            assertTrue(terminal.run("cmd update.cancel", PROMPT).contains("\"code\": \"login_needed\""));
        }
    }

    /** Waits until a login says nothing about a lock (the lock has run out). */
    private void awaitUnlocked() throws IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            String asked = terminal.run("login", ASK);
            int mark = terminal.mark();
            terminal.type("\u0003");
            terminal.readUntil(mark, Pattern.quote(PROMPT) + "\\z");
            if (!asked.contains("locked")) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the PIN login stayed locked: " + asked);
            }
        }
    }

    private void verifyRecordWithOpenssl() throws Exception {
        Path state = dir.resolve("data");
        Path recordFile;
        try (Stream<Path> files = Files.list(state.resolve("service-records"))) {
            recordFile = files.filter(f -> f.toString().endsWith(".jws")).findFirst().orElseThrow();
        }
        String jws = Files.readString(recordFile).strip();
        String keyFile = Files.readString(state.resolve("unit-key.pem"));
        String pub = keyFile.substring(keyFile.indexOf("-----BEGIN PUBLIC KEY-----"));
        Path work = Files.createDirectories(dir.resolve("openssl"));
        Files.writeString(work.resolve("unit.pub.pem"), pub);
        String[] parts = jws.split("\\.");
        Files.writeString(work.resolve("input.txt"), parts[0] + "." + parts[1]);
        Files.write(work.resolve("sig.bin"), Base64.getUrlDecoder().decode(parts[2]));
        assertEquals(0, openssl(work, "input.txt"), "openssl verifies the service record");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        JsonObject doc = JsonParser.parseString(payload).getAsJsonObject();
        assertEquals("callidus.service-record", doc.get("kind").getAsString());
        assertEquals("T-4711", doc.getAsJsonObject("technician").get("id").getAsString());
        Files.writeString(work.resolve("changed.txt"), parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.replace("T-4711", "T-0001").getBytes(StandardCharsets.UTF_8)));
        assertNotEquals(0, openssl(work, "changed.txt"), "openssl refuses a changed record");
    }

    private static int openssl(Path work, String input) throws Exception {
        Process p = new ProcessBuilder("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "unit.pub.pem", "-rawin",
                "-in", input, "-sigfile", "sig.bin").directory(work.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "openssl finished: " + out);
        return p.exitValue();
    }

    private static List<JsonObject> events(CloudSubscriber cloud) {
        List<JsonObject> out = new ArrayList<>();
        for (CloudSubscriber.Received r : cloud.receivedOn(new Topics(DEVICE).events())) {
            out.add(JsonParser.parseString(new String(r.payload(), StandardCharsets.UTF_8)).getAsJsonObject());
        }
        return out;
    }

    private static KeyPair newKeyPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
