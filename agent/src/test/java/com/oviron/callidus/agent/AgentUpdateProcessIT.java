package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.agent.subscription.SubscriptionToken;
import com.oviron.callidus.agent.subscription.TokenSigner;
import com.oviron.callidus.agent.update.SlotManager;
import com.oviron.callidus.agent.update.UpdatePackageBuilder;
import com.oviron.callidus.agent.update.Version;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudCommander;
import com.oviron.callidus.cloud.testing.CloudFilePeer;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A remote update end to end with the real packaged agent: the slot root of a factory install (the shaded jar
 * in slot a, {@code current} pointing at it, the state file), the real launcher script run again after every
 * exit the way systemd's {@code Restart=always} does, and the cloud side over an embedded broker: a
 * subscription token by command, the package offered as a file transfer of kind {@code update},
 * {@code update.install}, and every step watched on the retained {@code callidus/v1/<id>/update} topic.
 * A good release is committed in slot b after the new process's health check; a release whose jar does not
 * start is rolled back by the launcher and the old agent answers again; packages with an unknown key or for
 * other hardware are rejected with their reason and nothing is switched.
 */
class AgentUpdateProcessIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Path JAR = Path.of("target", "callidus-agent.jar");
    private static final Path LAUNCHER = Path.of("src", "main", "dist", "callidus-launch");
    private static final String DEVICE = "CAL-UPD-1";
    private static final String HARDWARE = "callidus-test";
    private static final String KID = "vendor-test";
    private static final int SECURITY_FLOOR = 1;

    @TempDir
    Path dir;

    private Path root;
    private Path config;
    private Path unitLog;
    private String jarVersion;
    private Version factory;
    private Version next;
    private final KeyPair subscriptionKey = ed25519();
    private final KeyPair packageKey = ed25519();
    private EmbeddedBroker broker;
    private CloudCommander cloud;
    private CloudSubscriber updates;
    private CloudFilePeer files;
    private Supervisor unit;
    private final Topics topics = new Topics(DEVICE);

    @BeforeEach
    void setUp() throws Exception {
        assertTrue(Files.exists(JAR), "run after package: " + JAR.toAbsolutePath());
        jarVersion = implementationVersion(JAR);
        factory = releaseVersionOf(jarVersion);
        next = new Version(factory.major(), factory.minor() + 1, 0);

        // the factory install (docs/drafts/updates.md, "Factory install"): the jar in slot a, the launcher in
        // bin/, current -> slots/a and the state. The agent writes the state itself on its first start only
        // when its build has a release version; this build's version has a pre-release part (-SNAPSHOT), so
        // the state is created the other documented way, with SlotManager.initialize.
        root = dir.resolve("callidus");
        Files.createDirectories(root.resolve("slots").resolve("a"));
        Files.copy(JAR, root.resolve("slots").resolve("a").resolve("callidus-agent.jar"));
        Files.createDirectories(root.resolve("bin"));
        Files.copy(LAUNCHER, root.resolve("bin").resolve("callidus-launch"));
        SlotManager.initialize(root, "a", factory, SECURITY_FLOOR);
        assertEquals("slots/a", Files.readSymbolicLink(root.resolve("current")).toString());

        broker = EmbeddedBroker.start(dir.resolve("broker"));
        config = dir.resolve("agent.json");
        Files.writeString(config, """
                {"device": {"id": "%s"},
                 "hal": {"source": "simulator", "seed": 7, "samplePeriod": "50ms"},
                 "store": {"path": "%s", "groupCommitDelay": "100ms"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "100ms", "reconnectMax": "1s"},
                 "sync": {"interval": "100ms", "healthInterval": "2s"},
                 "shutdown": {"drainTimeout": "5s"},
                 "subscription": {"keys": {"k1": "%s"}},
                 "update": {"root": "%s", "hardwareId": "%s", "keys": {"%s": "%s"},
                            "maintenanceWindow": "00:00-00:00", "timeZone": "UTC",
                            "recheckInterval": "1s", "healthDeadline": "90s"}}
                """.formatted(DEVICE, dir.resolve("data").resolve("agent.db"), broker.uri(),
                pem(subscriptionKey).replace("\n", "\\n"), root, HARDWARE, KID, rawPublic(packageKey)));
        cloud = new CloudCommander(broker.uri(), "cloud-upd", DEVICE, topics.telemetry());
        updates = new CloudSubscriber(broker.uri(), "cloud-upd-status", topics.update());
        files = new CloudFilePeer(broker.uri(), "cloud-upd-files", topics, dir.resolve("cloud-files"));

        unitLog = dir.resolve("unit.log");
        ProcessBuilder launch = new ProcessBuilder("sh", root.resolve("bin").resolve("callidus-launch").toString(),
                "--config", config.toString()).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(unitLog.toFile()));
        launch.environment().put("CALLIDUS_ROOT", root.toString());
        launch.environment().put("CALLIDUS_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        launch.environment().put("CALLIDUS_JAVA_OPTS", "-Xmx256m");
        launch.environment().put("CALLIDUS_MAX_ATTEMPTS", "1");
        unit = new Supervisor(launch);
        cloud.awaitOnline(1, WAIT);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (unit != null) {
            unit.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {files, updates, cloud, broker}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void a_good_release_is_installed_in_slot_b_restarted_into_health_checked_and_committed() throws Exception {
        installToken();
        awaitTelemetry("before the update");

        Path pkg = build("good", next, 2, List.of(HARDWARE), KID, packageKey.getPrivate(), JAR);
        String transfer = offer(pkg);
        int mark = updateMessages().size();
        JsonObject reply = install(transfer);
        assertTrue(reply.get("ok").getAsBoolean(), reply.toString());
        assertTrue(reply.getAsJsonObject("result").get("started").getAsBoolean(), reply.toString());

        JsonObject committed = awaitStep(mark, "committed");
        assertEquals(next.toString(), committed.get("version").getAsString(), committed.toString());
        List<String> steps = steps(mark);
        assertInOrder(steps, List.of("received", "verifying", "installing", "switching", "restarting",
                "health-check", "committed"));
        assertFalse(steps.contains("rejected") || steps.contains("rolled-back") || steps.contains("failed"),
                steps::toString);
        JsonObject health = updateMessages().stream().filter(m -> m.get("step").getAsString().equals("health-check"))
                .findFirst().orElseThrow();
        assertEquals(next.toString(), health.get("version").getAsString());

        // the old process exited with "restart me"; the launcher started the new one, which still runs
        assertEquals(List.of(75), unit.exits(), this::unitLog);
        assertEquals(2, unit.starts());
        assertEquals("slots/b", Files.readSymbolicLink(root.resolve("current")).toString());
        assertEquals(-1L, Files.mismatch(JAR, root.resolve("slots").resolve("b").resolve("callidus-agent.jar")));
        Map<String, String> state = state();
        assertEquals("b", state.get("committed"), state::toString);
        assertEquals(next.toString(), state.get("committedVersion"));
        assertEquals("2", state.get("securityVersion"), "the security high-water mark is raised at the commit");
        assertEquals("", state.get("trial"));
        assertEquals("committed", state.get("lastResult"));
        assertEquals(next.toString(), state.get("lastVersion"));
        assertEquals("1", state.get("reported"));

        // online again, the cloud services work again
        cloud.awaitOnline(2, WAIT);
        awaitTelemetry("after the switch");
        JsonObject status = cloud.call("update.status", null, WAIT);
        assertTrue(status.get("ok").getAsBoolean(), status.toString());
        JsonObject r = status.getAsJsonObject("result");
        assertEquals(HARDWARE, r.get("hardware").getAsString());
        assertEquals("b", r.getAsJsonObject("installed").get("slot").getAsString());
        assertEquals(next.toString(), r.getAsJsonObject("installed").get("version").getAsString());
        assertEquals(2, r.getAsJsonObject("installed").get("securityVersion").getAsInt());
        assertEquals("b", r.get("current").getAsString());
        assertTrue(r.get("trial").isJsonNull(), r.toString());
        assertEquals("committed", r.getAsJsonObject("lastResult").get("outcome").getAsString());
        assertFalse(r.get("busy").getAsBoolean());
        assertEquals("committed", lastRetainedStep(), "the retained status a new subscriber sees");
        assertEquals(2, unit.starts(), () -> "no further restart after the commit; " + unitLog());
    }

    @Test
    void a_release_whose_jar_does_not_start_is_rolled_back_by_the_launcher_and_the_old_agent_answers()
            throws Exception {
        installToken();
        Path garbage = dir.resolve("garbage").resolve("callidus-agent.jar");
        Files.createDirectories(garbage.getParent());
        Files.writeString(garbage, "this is not a jar file\n".repeat(1000));
        Path pkg = build("broken", next, 2, List.of(HARDWARE), KID, packageKey.getPrivate(), garbage);
        String transfer = offer(pkg);
        int mark = updateMessages().size();
        long installAsked = System.nanoTime();
        JsonObject reply = install(transfer);
        assertTrue(reply.get("ok").getAsBoolean(), reply.toString());

        awaitStep(mark, "restarting");
        JsonObject rolledBack = awaitStep(mark, "rolled-back");
        assertEquals(next.toString(), rolledBack.get("version").getAsString(), rolledBack.toString());
        assertEquals("health-check", rolledBack.get("reason").getAsString(), rolledBack.toString());
        assertTrue(rolledBack.get("detail").getAsString().contains("launcher"), rolledBack.toString());
        assertFalse(steps(mark).contains("committed"), () -> steps(mark).toString());

        // exit 75 to switch, the broken trial's JVM failed, then the launcher rolled back and the old agent runs
        cloud.awaitOnline(2, WAIT);
        List<Integer> exits = unit.exits();
        assertEquals(2, exits.size(), () -> exits + "; " + unitLog());
        assertEquals(75, exits.get(0), this::unitLog);
        assertTrue(exits.get(1) != 0 && exits.get(1) != 75, () -> "the broken jar's exit: " + exits);
        assertEquals(3, unit.starts());
        String log = unitLog();
        assertTrue(log.contains("starting trial of " + next + " in slot b"), log);
        assertTrue(log.contains("rolling back to slot a"), log);

        assertEquals("slots/a", Files.readSymbolicLink(root.resolve("current")).toString());
        Map<String, String> state = state();
        assertEquals("a", state.get("committed"), state::toString);
        assertEquals(factory.toString(), state.get("committedVersion"));
        assertEquals(String.valueOf(SECURITY_FLOOR), state.get("securityVersion"), "a rollback never raises it");
        assertEquals("", state.get("trial"));
        assertEquals("rolled-back", state.get("lastResult"));
        assertEquals(next.toString(), state.get("lastVersion"));
        Await.until("the rollback marked as reported", WAIT, () -> "1".equals(stateQuietly().get("reported")));

        JsonObject status = cloud.call("status.get", null, WAIT);
        long sinceInstall = (System.nanoTime() - installAsked) / 1_000_000_000L;
        assertTrue(status.get("ok").getAsBoolean(), status.toString());
        assertEquals(jarVersion, status.getAsJsonObject("result").get("version").getAsString(), status.toString());
        // not the process that took the install command: one started since then (after the rollback)
        assertTrue(status.getAsJsonObject("result").get("uptimeSeconds").getAsLong() <= sinceInstall,
                "a process started after the rollback answers, " + sinceInstall + " s after the install: " + status);
        assertEquals(DEVICE, status.getAsJsonObject("result").get("device").getAsString());
        JsonObject u = cloud.call("update.status", null, WAIT).getAsJsonObject("result");
        assertEquals("a", u.getAsJsonObject("installed").get("slot").getAsString(), u.toString());
        assertEquals(factory.toString(), u.getAsJsonObject("installed").get("version").getAsString());
        assertEquals("a", u.get("current").getAsString());
        assertEquals("rolled-back", u.getAsJsonObject("lastResult").get("outcome").getAsString());
        assertEquals("rolled-back", lastRetainedStep());
        awaitTelemetry("after the rollback");
    }

    @Test
    void packages_with_an_unknown_key_or_for_other_hardware_are_rejected_and_nothing_is_switched()
            throws Exception {
        installToken();
        Map<String, String> before = state();

        JsonObject unknownTransfer = install("no-such-transfer");
        assertEquals("invalid_argument", unknownTransfer.getAsJsonObject("error").get("code").getAsString(),
                unknownTransfer.toString());

        KeyPair rogue = ed25519();
        JsonObject unknownKey = installAndAwaitRejection(build("rogue", next, 2, List.of(HARDWARE), "rogue-key",
                rogue.getPrivate(), JAR));
        assertEquals("unknown-key", unknownKey.get("reason").getAsString(), unknownKey.toString());
        assertFalse(unknownKey.has("version"), "nothing of an unverified manifest is reported: " + unknownKey);

        JsonObject forged = installAndAwaitRejection(build("forged", next, 2, List.of(HARDWARE), KID,
                rogue.getPrivate(), JAR));
        assertEquals("bad-signature", forged.get("reason").getAsString(), forged.toString());

        JsonObject otherHardware = installAndAwaitRejection(build("other-hw", next, 2, List.of("callidus-other"), KID,
                packageKey.getPrivate(), JAR));
        assertEquals("wrong-hardware", otherHardware.get("reason").getAsString(), otherHardware.toString());
        assertEquals(next.toString(), otherHardware.get("version").getAsString());
        assertTrue(otherHardware.get("detail").getAsString().contains(HARDWARE), otherHardware.toString());

        // nothing switched, nothing restarted, the unit is idle; the state only records the last refusal
        Map<String, String> after = state();
        for (String key : List.of("committed", "committedVersion", "securityVersion", "trial", "trialVersion",
                "attempts")) {
            assertEquals(before.get(key), after.get(key), key + " in " + after);
        }
        assertEquals("failed", after.get("lastResult"), after::toString);
        assertEquals(next.toString(), after.get("lastVersion"), after::toString);
        assertEquals("1", after.get("reported"), "a refusal is reported when it happens");
        assertEquals("slots/a", Files.readSymbolicLink(root.resolve("current")).toString());
        try (var slotB = Files.list(root.resolve("slots").resolve("b"))) {
            assertEquals(0, slotB.count(), "slot b stays empty: the checks come before the install");
        }
        assertEquals(1, unit.starts(), this::unitLog);
        assertTrue(unit.exits().isEmpty(), this::unitLog);
        JsonObject u = cloud.call("update.status", null, WAIT).getAsJsonObject("result");
        assertFalse(u.get("busy").getAsBoolean(), u.toString());
        assertEquals("a", u.get("current").getAsString());
        assertEquals("rejected", u.getAsJsonObject("step").get("step").getAsString(), u.toString());
        assertEquals("failed", u.getAsJsonObject("lastResult").get("outcome").getAsString(), u.toString());
        assertEquals("rejected", lastRetainedStep());
        assertTrue(cloud.call("status.get", null, WAIT).get("ok").getAsBoolean());
    }

    // --- the cloud side ---

    private void installToken() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        String token = TokenSigner.sign(new SubscriptionToken("oviron-subscriptions", DEVICE, now, 1,
                today.minusDays(30), Optional.empty(), Optional.empty(), 15, now), "k1", subscriptionKey.getPrivate());
        JsonObject args = new JsonObject();
        args.addProperty("token", token);
        JsonObject reply = cloud.call("subscription.install", args, WAIT);
        assertTrue(reply.get("ok").getAsBoolean(), reply.toString());
        JsonObject sub = cloud.call("subscription.get", null, WAIT).getAsJsonObject("result");
        assertTrue(sub.get("updatesAllowed").getAsBoolean(), sub.toString());
    }

    /** Offers the package as a file transfer of kind update and waits until the unit has it. */
    private String offer(Path pkg) throws Exception {
        String transfer = "upd-" + pkg.getFileName().toString().replace(".cup", "") + "-" + System.nanoTime();
        String command = files.offer(transfer, "update", pkg.getFileName().toString(), pkg, 64 * 1024,
                System.currentTimeMillis() + 600_000);
        Await.until(() -> "reply to file.offer " + transfer, WAIT, () -> files.reply(command) != null);
        assertTrue(files.reply(command).get("ok").getAsBoolean(), files.reply(command).toString());
        Await.until(() -> "transfer " + transfer + " done, is " + files.state(transfer) + "; " + unitLog(), WAIT,
                () -> files.state(transfer).equals("done"));
        return transfer;
    }

    private JsonObject install(String transfer) throws Exception {
        JsonObject args = new JsonObject();
        args.addProperty("transfer", transfer);
        return cloud.call("update.install", args, WAIT);
    }

    private JsonObject installAndAwaitRejection(Path pkg) throws Exception {
        String transfer = offer(pkg);
        int mark = updateMessages().size();
        JsonObject reply = install(transfer);
        assertTrue(reply.get("ok").getAsBoolean(), reply.toString());
        JsonObject rejected = awaitStep(mark, "rejected");
        assertTrue(rejected.get("detail").getAsString().length() > 0, rejected.toString());
        Await.until("the update service idle again", WAIT, () -> {
            try {
                return !cloud.call("update.status", null, WAIT).getAsJsonObject("result").get("busy").getAsBoolean();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        return rejected;
    }

    /** A package of one file, {@code jar} as callidus-agent.jar. */
    private Path build(String name, Version version, long securityVersion, List<String> hardware, String kid,
                       PrivateKey key, Path jar) throws Exception {
        Path out = dir.resolve(name + ".cup");
        new UpdatePackageBuilder().add("callidus-agent.jar", jar, false)
                .build(version, securityVersion, hardware, Instant.now(), kid, key, out);
        return out;
    }

    /** The live (not retained) update status messages, in arrival order. */
    private List<JsonObject> updateMessages() {
        List<JsonObject> out = new ArrayList<>();
        for (CloudSubscriber.Received m : updates.receivedOn(topics.update())) {
            if (!m.retained()) {
                JsonObject o = JsonParser.parseString(new String(m.payload(), StandardCharsets.UTF_8))
                        .getAsJsonObject();
                assertEquals(1, o.get("v").getAsInt(), o.toString());
                assertEquals(DEVICE, o.get("device").getAsString(), o.toString());
                out.add(o);
            }
        }
        return out;
    }

    private List<String> steps(int from) {
        List<JsonObject> all = updateMessages();
        return all.subList(from, all.size()).stream().map(o -> o.get("step").getAsString()).toList();
    }

    private JsonObject awaitStep(int from, String step) {
        JsonObject[] found = new JsonObject[1];
        Await.until(() -> "update step " + step + "; steps so far " + steps(from) + "; unit output:\n" + unitLog(),
                WAIT, () -> {
                    List<JsonObject> all = updateMessages();
                    for (JsonObject o : all.subList(from, all.size())) {
                        if (o.get("step").getAsString().equals(step)) {
                            found[0] = o;
                            return true;
                        }
                    }
                    return false;
                });
        return found[0];
    }

    /** The step a cloud service connecting now would get as the retained message. */
    private String lastRetainedStep() throws Exception {
        try (CloudSubscriber late = new CloudSubscriber(broker.uri(), "cloud-late-" + System.nanoTime(),
                topics.update())) {
            Await.until("the retained update status", WAIT, () -> late.last(topics.update()) != null);
            return JsonParser.parseString(new String(late.last(topics.update()), StandardCharsets.UTF_8))
                    .getAsJsonObject().get("step").getAsString();
        }
    }

    private void awaitTelemetry(String when) {
        int before = cloud.subscriber().receivedOn(topics.telemetry()).size();
        Await.until(() -> "telemetry " + when + "; unit output:\n" + unitLog(), WAIT,
                () -> cloud.subscriber().receivedOn(topics.telemetry()).size() >= before + 3);
    }

    private static void assertInOrder(List<String> actual, List<String> expected) {
        int i = 0;
        for (String s : actual) {
            if (i < expected.size() && s.equals(expected.get(i))) {
                i++;
            }
        }
        assertEquals(expected.size(), i, "steps " + expected + " in this order within " + actual);
    }

    // --- the unit side ---

    private Map<String, String> state() throws IOException {
        Map<String, String> m = new HashMap<>();
        for (String line : Files.readAllLines(root.resolve(SlotManager.STATE_FILE), StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return m;
    }

    private Map<String, String> stateQuietly() {
        try {
            return state();
        } catch (IOException e) {
            return Map.of();
        }
    }

    private String unitLog() {
        try {
            return Files.exists(unitLog) ? Files.readString(unitLog, StandardCharsets.UTF_8) : "(no output yet)";
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static String implementationVersion(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            String v = j.getManifest().getMainAttributes().getValue("Implementation-Version");
            assertTrue(v != null && !v.isEmpty(), "the shaded jar names its version");
            return v;
        }
    }

    /** The release part of a build's version ({@code 0.1.0-SNAPSHOT} → 0.1.0). */
    private static Version releaseVersionOf(String buildVersion) {
        int dash = buildVersion.indexOf('-');
        return Version.parse(dash < 0 ? buildVersion : buildVersion.substring(0, dash));
    }

    private static KeyPair ed25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private static String pem(KeyPair keys) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(keys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    /** The raw 32-byte public key in base64url, as update.keys pins it. */
    private static String rawPublic(KeyPair pair) {
        byte[] spki = pair.getPublic().getEncoded();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOfRange(spki, spki.length - 32,
                spki.length));
    }

    /**
     * Runs the launcher again after every exit, like systemd with {@code Restart=always} (a short pause for
     * {@code RestartSec}), at most {@link #MAX_STARTS} times; records the exit codes.
     */
    private static final class Supervisor implements AutoCloseable {
        static final int MAX_STARTS = 8;
        private final ProcessBuilder launch;
        private final List<Integer> exits = Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;
        private int starts;
        private boolean stopping;
        private Process current;

        Supervisor(ProcessBuilder launch) {
            this.launch = launch;
            this.thread = new Thread(this::run, "unit-supervisor");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            try {
                while (true) {
                    Process p;
                    synchronized (this) {
                        if (stopping || starts >= MAX_STARTS) {
                            return;
                        }
                        p = launch.start();
                        current = p;
                        starts++;
                    }
                    int code = p.waitFor();
                    synchronized (this) {
                        if (stopping) {
                            return;
                        }
                    }
                    exits.add(code);
                    Thread.sleep(300);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        synchronized int starts() {
            return starts;
        }

        List<Integer> exits() {
            synchronized (exits) {
                return List.copyOf(exits);
            }
        }

        @Override
        public void close() throws InterruptedException {
            Process p;
            synchronized (this) {
                stopping = true;
                p = current;
            }
            if (p != null) {
                p.destroyForcibly();
                p.waitFor(20, TimeUnit.SECONDS);
            }
            thread.interrupt();
            thread.join(20_000);
        }
    }
}
