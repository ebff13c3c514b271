package com.oviron.callidus.tools.benchmark;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.agent.subscription.SubscriptionToken;
import com.oviron.callidus.agent.subscription.TokenSigner;
import com.oviron.callidus.agent.update.SlotManager;
import com.oviron.callidus.agent.update.UpdatePackageBuilder;
import com.oviron.callidus.agent.update.Version;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.CloudCommander;
import com.oviron.callidus.cloud.testing.CloudFilePeer;
import com.oviron.callidus.cloud.testing.MosquittoBroker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * {@code benchmark soak}: the packaged agent run for minutes as on the unit — through the launcher from an A/B
 * slot root, restarted like systemd's {@code Restart=always} — with the simulator at ten times the production
 * sample rate, broker outages and remote update cycles, printing the figures that must stay flat over years:
 * heap after a full GC, threads, open files, database size and RSS. A benchmark: it prints, it never judges.
 */
final class SoakBenchmark {
    private static final String DEVICE = "CAL-SOAK-0001";
    private static final String HARDWARE = "callidus-soak";
    private static final String KID = "soak-vendor";
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    private final PrintStream out;
    private final Duration length;
    private final Duration every;
    private final Duration outageEvery;
    private final Duration updateEvery;
    private final Path jar;
    private final Path launcher;
    private final Topics topics = new Topics(DEVICE);
    private final KeyPair subscriptionKey = ed25519();
    private final KeyPair packageKey = ed25519();
    private final AtomicLong telemetryMessages = new AtomicLong();
    private final AtomicLong telemetryBytes = new AtomicLong();
    private final List<Integer> exits = new ArrayList<>();
    private volatile Process agent;
    private volatile boolean stopping;
    private int starts;
    private int outages;
    private int updatesCommitted;
    private int updatesFailed;
    private Version installed = new Version(1, 0, 0);

    SoakBenchmark(PrintStream out, Duration length, Duration every, Duration outageEvery, Duration updateEvery,
                  Path jar, Path launcher) {
        this.out = out;
        this.length = length;
        this.every = every;
        this.outageEvery = outageEvery;
        this.updateEvery = updateEvery;
        this.jar = jar;
        this.launcher = launcher;
    }

    int run() throws Exception {
        if (!Files.isRegularFile(jar) || !Files.isRegularFile(launcher)) {
            throw new IOException("needs the packaged agent " + jar + " and the launcher " + launcher
                    + " (run from the repository after mvn package, or pass --agent-jar and --launcher)");
        }
        Path dir = Files.createTempDirectory("callidus-soak-");
        out.println("soak: " + length.toMinutes() + " min, figures every " + every.toMinutes() + " min, broker outage ("
                + OUTAGE.toSeconds() + " s) every " + outageEvery.toMinutes() + " min, update cycle every "
                + updateEvery.toMinutes() + " min; simulator at 10 ms (10x the unit's rate); files in " + dir);
        Path root = dir.resolve("callidus");
        Files.createDirectories(root.resolve("slots").resolve("a"));
        Files.copy(jar, root.resolve("slots/a/callidus-agent.jar"));
        Files.createDirectories(root.resolve("bin"));
        Files.copy(launcher, root.resolve("bin/callidus-launch"));
        SlotManager.initialize(root, "a", installed, 1);
        Path config = dir.resolve("agent.json");
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("broker"))) {
            Files.writeString(config, config(dir, root, broker.uri()));
            MqttClient telemetry = countTelemetry(broker.uri());
            try (CloudCommander cloud = new CloudCommander(broker.uri(), "soak-cloud", DEVICE, topics.update());
                 CloudFilePeer files = new CloudFilePeer(broker.uri(), "soak-files", topics, dir.resolve("cloud"))) {
                Thread supervisor = supervise(root, config, dir.resolve("agent.log"));
                cloud.awaitOnline(1, WAIT);
                installToken(cloud);
                table(dir, root, 0);
                long start = System.nanoTime();
                long nextRow = every.toNanos();
                long nextOutage = outageEvery.toNanos();
                long nextUpdate = updateEvery.toNanos();
                int updateNo = 0;
                while (System.nanoTime() - start < length.toNanos()) {
                    long t = System.nanoTime() - start;
                    if (t >= nextRow) {
                        table(dir, root, nextRow);
                        nextRow += every.toNanos();
                    } else if (t >= nextOutage) {
                        outage(broker);
                        nextOutage += outageEvery.toNanos();
                    } else if (t >= nextUpdate) {
                        updateCycle(dir, cloud, files, ++updateNo);
                        nextUpdate += updateEvery.toNanos();
                    } else {
                        Thread.sleep(200);
                    }
                }
                table(dir, root, length.toNanos());
                stopping = true;
                Process p = agent;
                if (p != null) {
                    p.destroy();
                    p.waitFor(60, TimeUnit.SECONDS);
                }
                supervisor.join(TimeUnit.SECONDS.toMillis(70));
            } finally {
                stopping = true;
                Process p = agent;
                if (p != null) {
                    p.destroyForcibly();
                }
                telemetry.disconnectForcibly(1000);
                telemetry.close();
            }
        }
        TempFolders.deleteQuietly(dir);
        out.printf("summary: %d telemetry batches (%d KiB) at the cloud; %d broker outages; %d updates committed,"
                + " %d failed; %d agent starts, exits %s; now release %s%n", telemetryMessages.get(),
                telemetryBytes.get() / 1024, outages, updatesCommitted, updatesFailed, starts, exits, installed);
        return updatesFailed == 0 ? 0 : 1;
    }

    private String config(Path dir, Path root, String brokerUri) {
        return """
                {"device": {"id": "%s"},
                 "hal": {"source": "simulator", "seed": 11, "samplePeriod": "10ms"},
                 "store": {"path": "%s"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "500ms", "reconnectMax": "5s"},
                 "sync": {"interval": "100ms", "healthInterval": "5s"},
                 "shutdown": {"drainTimeout": "5s"},
                 "subscription": {"keys": {"k1": "%s"}},
                 "update": {"root": "%s", "hardwareId": "%s", "keys": {"%s": "%s"},
                            "maintenanceWindow": "00:00-00:00", "timeZone": "UTC",
                            "recheckInterval": "1s", "healthDeadline": "2m"}}
                """.formatted(DEVICE, dir.resolve("data").resolve("agent.db"), brokerUri,
                rawPublic(subscriptionKey), root, HARDWARE, KID, rawPublic(packageKey));
    }

    /** Restart=always: the launcher again after every exit (75 after an update), one second apart. */
    private Thread supervise(Path root, Path config, Path log) {
        Thread t = new Thread(() -> {
            while (!stopping) {
                try {
                    ProcessBuilder pb = new ProcessBuilder("sh", root.resolve("bin/callidus-launch").toString(),
                            "--config", config.toString()).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                    pb.environment().put("CALLIDUS_ROOT", root.toString());
                    pb.environment().put("CALLIDUS_JAVA", Path.of(System.getProperty("java.home"), "bin", "java")
                            .toString());
                    // as the systemd unit starts it (its Environment=, docs/performance.md)
                    pb.environment().put("CALLIDUS_JAVA_OPTS", "-Xms8m -Xmx32m -XX:+UseSerialGC"
                            + " -XX:+ExitOnOutOfMemoryError -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1"
                            + " -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=96m -Xss512k -XX:-UsePerfData"
                            + " -XX:Tier3BackEdgeThreshold=2000");
                    pb.environment().put("MALLOC_ARENA_MAX", "2");
                    Process p = pb.start();
                    synchronized (exits) {
                        starts++;
                    }
                    agent = p;
                    int code = p.waitFor();
                    synchronized (exits) {
                        exits.add(code);
                    }
                    if (!stopping) {
                        Thread.sleep(1000);
                    }
                } catch (IOException e) {
                    out.println("soak: the launcher cannot be started: " + e.getMessage());
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }, "soak-supervisor");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void installToken(CloudCommander cloud) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        String token = TokenSigner.sign(new SubscriptionToken("oviron-subscriptions", DEVICE, now, 1,
                today.minusDays(30), Optional.empty(), Optional.empty(), 15, now), "k1", subscriptionKey.getPrivate());
        JsonObject args = new JsonObject();
        args.addProperty("token", token);
        JsonObject reply = cloud.call("subscription.install", args, WAIT);
        if (!reply.get("ok").getAsBoolean()) {
            throw new IllegalStateException("subscription.install refused: " + reply);
        }
    }

    private void outage(MosquittoBroker broker) throws InterruptedException {
        broker.stop();
        outages++;
        Thread.sleep(OUTAGE.toMillis()); // the outage itself: the broker stays away this long
        broker.start();
    }

    /** The same jar as the next release: offered, installed, switched to, health-checked, committed. */
    private void updateCycle(Path dir, CloudCommander cloud, CloudFilePeer files, int n) throws Exception {
        Version next = new Version(installed.major(), installed.minor() + 1, 0);
        Path pkg = dir.resolve("update-" + next + ".cup");
        new UpdatePackageBuilder().add("callidus-agent.jar", jar, false)
                .build(next, 1, List.of(HARDWARE), Instant.now(), KID, packageKey.getPrivate(), pkg);
        String transfer = "soak-update-" + n;
        int before = cloud.subscriber().receivedOn(topics.update()).size();
        String command = files.offer(transfer, "update", pkg.getFileName().toString(), pkg, 64 * 1024,
                System.currentTimeMillis() + WAIT.toMillis());
        boolean done = waitFor(() -> files.reply(command) != null && files.state(transfer).equals("done"));
        if (done) {
            JsonObject args = new JsonObject();
            args.addProperty("transfer", transfer);
            cloud.call("update.install", args, WAIT);
            done = waitFor(() -> cloud.subscriber().receivedOn(topics.update()).stream().skip(before)
                    .anyMatch(m -> step(m.payload()).equals("committed") || step(m.payload()).equals("rolled-back")
                            || step(m.payload()).equals("rejected")))
                    && cloud.subscriber().receivedOn(topics.update()).stream().skip(before)
                    .anyMatch(m -> step(m.payload()).equals("committed"));
        }
        if (done) {
            updatesCommitted++;
            installed = next;
        } else {
            updatesFailed++;
        }
        Files.deleteIfExists(pkg);
    }

    private static String step(byte[] payload) {
        try {
            return JsonParser.parseString(new String(payload, StandardCharsets.UTF_8)).getAsJsonObject().get("step")
                    .getAsString();
        } catch (RuntimeException e) {
            return "";
        }
    }

    private static boolean waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    private boolean header;

    /** One row of figures for the agent process running now. */
    private void table(Path dir, Path root, long atNanos) {
        if (!header) {
            header = true;
            out.println();
            out.println("| minute | pid | release | heap after GC (MiB) | threads | open files | database (MiB) | RSS (MiB) |"
                    + " batches at cloud | outages | updates |");
            out.println("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        }
        Process p = agent;
        long pid = p == null ? -1 : p.pid();
        out.printf("| %d | %d | %s | %s | %s | %s | %.1f | %s | %d | %d | %d |%n", TimeUnit.NANOSECONDS.toMinutes(atNanos),
                pid, installed, heapAfterGc(pid).map(b -> String.format("%.1f", b / 1048576.0)).orElse("n/a"),
                procStatus(pid, "Threads").map(String::valueOf).orElse("n/a"), openFiles(pid).map(String::valueOf)
                        .orElse("n/a"), databaseBytes(dir.resolve("data")) / 1048576.0,
                procStatus(pid, "VmRSS").map(kb -> String.format("%.1f", kb / 1024.0)).orElse("n/a"),
                telemetryMessages.get(), outages, updatesCommitted);
    }

    /** Heap in use right after a full GC, as jcmd reports it (JDK only). */
    private static Optional<Long> heapAfterGc(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (pid <= 0 || !Files.isExecutable(jcmd)) {
            return Optional.empty();
        }
        try {
            exec(List.of(jcmd.toString(), Long.toString(pid), "GC.run"));
            return heapUsed(exec(List.of(jcmd.toString(), Long.toString(pid), "GC.heap_info")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The sum of the generations' (or G1's heap's) "used" in jcmd GC.heap_info output, in bytes. */
    static Optional<Long> heapUsed(String heapInfo) {
        Matcher m = Pattern.compile("(generation|heap)\\s+total \\d+K, used (\\d+)K").matcher(heapInfo);
        long kb = 0;
        boolean any = false;
        while (m.find()) {
            kb += Long.parseLong(m.group(2));
            any = true;
        }
        return any ? Optional.of(kb * 1024) : Optional.empty();
    }

    private static String exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return text;
    }

    /** A "Key:   value kB" line of /proc/pid/status, as a number. */
    private static Optional<Long> procStatus(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(key + ":")) {
                    return Optional.of(Long.parseLong(line.substring(key.length() + 1).replace("kB", "").strip()));
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static Optional<Long> openFiles(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return Optional.of(fds.count());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static long databaseBytes(Path dataDir) {
        long total = 0;
        for (String name : List.of("agent.db", "agent.db-wal", "agent.db-shm")) {
            try {
                total += Files.size(dataDir.resolve(name));
            } catch (IOException e) {
                // not there (yet)
            }
        }
        return total;
    }

    private MqttClient countTelemetry(String brokerUri) throws Exception {
        MqttClient client = new MqttClient(brokerUri, "soak-telemetry", new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                // automatic reconnect
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                telemetryMessages.incrementAndGet();
                telemetryBytes.addAndGet(message.getPayload().length);
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // subscriber only
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        o.setAutomaticReconnect(true);
        o.setMaxReconnectDelay(2000);
        client.connect(o);
        client.subscribe(topics.telemetry(), 1);
        return client;
    }

    private static KeyPair ed25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The raw 32-byte Ed25519 public key in base64url, as a unit's configuration pins it. */
    private static String rawPublic(KeyPair pair) {
        byte[] der = pair.getPublic().getEncoded();
        byte[] raw = java.util.Arrays.copyOfRange(der, der.length - 32, der.length);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}
