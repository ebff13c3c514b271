package com.oviron.callidus.tools.demo;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.agent.subscription.SubscriptionToken;
import com.oviron.callidus.agent.subscription.TokenSigner;
import com.oviron.callidus.cloud.LiveSnapshot;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.CloudCommander;
import com.oviron.callidus.cloud.testing.CloudFilePeer;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.tools.logo.LogoComposer;
import com.oviron.callidus.tools.logo.LogoFileWriter;
import com.oviron.callidus.tools.logo.LogoLayout;
import com.oviron.callidus.tools.logo.OutputFormat;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import javax.imageio.ImageIO;

/**
 * The demo's cloud operator: what Oviron's cloud and a clinic manager do with a unit, one step after
 * another on its own thread ("demo-cloud"), printing each outcome: install the subscription token (the unit
 * buffers until then), read the diagnostics, watch a live session, compose and send the clinic's logo,
 * receive an X-ray image the sensor software dropped, back up and change settings, ask for a period
 * report; then inject a compressor failure and receive the alarm with its code and remedy, acknowledge it,
 * ask for the signed self-test and a report page ({@link DiagnosticsSteps}). Every step is retried while the
 * broker is down, until the demo ends.
 */
final class CloudOperator implements AutoCloseable {
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(20);

    /** A step's outcome for the summary. */
    record Outcome(String step, boolean ok, String detail) {
    }

    private final String deviceId;
    private final Path dir;
    private final PrintStream out;
    private final KeyPair vendor;
    private final CloudCommander commander;
    private final CloudFilePeer files;
    private final List<Outcome> outcomes = new ArrayList<>();
    private final DiagnosticsSteps diagnostics;
    private final Thread thread;
    private volatile boolean stopping;

    private CloudOperator(String deviceId, Path dir, PrintStream out, KeyPair vendor, CloudCommander commander,
                          CloudFilePeer files, java.util.function.Consumer<Boolean> pressureDrop) {
        this.deviceId = deviceId;
        this.dir = dir;
        this.out = out;
        this.vendor = vendor;
        this.commander = commander;
        this.files = files;
        this.diagnostics = new DiagnosticsSteps(deviceId, commander.subscriber(), files, this::call, this::await,
                pressureDrop);
        this.thread = new Thread(this::runSteps, "demo-cloud");
        this.thread.setDaemon(true);
    }

    /** The vendor's key pair for the demo's subscription tokens (the unit pins its public half). */
    static KeyPair vendorKeys() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    /** The public key as the unit's configuration pins it (PEM, JSON-escaped). */
    static String publicKeyForConfig(KeyPair vendor) {
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getEncoder().encodeToString(vendor.getPublic()
                .getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        return pem.replace("\n", "\\n");
    }

    /**
     * @param pressureDrop switches the simulated board's compressor failure on and off (the demo's fault)
     */
    static CloudOperator connect(String brokerUri, String deviceId, Path dir, PrintStream out, KeyPair vendor,
                                 java.util.function.Consumer<Boolean> pressureDrop) throws Exception {
        Topics topics = new Topics(deviceId);
        CloudCommander commander = new CloudCommander(brokerUri, "demo-cloud-ops", deviceId, topics.live(),
                Topics.ROOT + "/" + deviceId + "/settings", topics.events(), topics.channels());
        CloudFilePeer files = new CloudFilePeer(brokerUri, "demo-cloud-files", topics,
                Files.createDirectories(dir.resolve("cloud-files")));
        return new CloudOperator(deviceId, dir, out, vendor, commander, files, pressureDrop);
    }

    /** How many steps the operator does. */
    static final int STEPS = 11;

    void start() {
        thread.start();
    }

    synchronized List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    private void runSteps() {
        step("subscription", this::installToken);
        step("diagnostics", this::diagnostics);
        step("live session", this::liveSession);
        step("logo", this::logo);
        step("x-ray", this::xray);
        step("settings", this::settings);
        step("report", this::report);
        step("alarm", diagnostics::alarm);
        step("acknowledge", diagnostics::acknowledge);
        step("self-test", diagnostics::selftest);
        step("report page", diagnostics::reportPage);
    }

    @FunctionalInterface
    private interface Step {
        String run() throws Exception;
    }

    private void step(String name, Step step) {
        while (!stopping) {
            try {
                String detail = step.run();
                record(new Outcome(name, true, detail));
                say(name + ": " + detail);
                return;
            } catch (InterruptedException e) {
                return;
            } catch (Exception | AssertionError e) {
                if (stopping) {
                    return;
                }
                say(name + ": not yet (" + e.getMessage() + "), trying again");
                sleep(Duration.ofSeconds(2));
            }
        }
    }

    private synchronized void record(Outcome o) {
        outcomes.add(o);
    }

    private void say(String line) {
        out.println(">>> cloud: " + line);
    }

    private JsonObject call(String name, JsonObject args) throws Exception {
        JsonObject reply = commander.call(name, args, STEP_TIMEOUT);
        if (!reply.get("ok").getAsBoolean()) {
            JsonObject e = reply.getAsJsonObject("error");
            throw new IllegalStateException(name + " refused: " + e.get("code").getAsString() + ": "
                    + e.get("message").getAsString());
        }
        return reply.get("result").isJsonObject() ? reply.getAsJsonObject("result") : new JsonObject();
    }

    private String installToken() throws Exception {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String token = TokenSigner.sign(new SubscriptionToken("oviron-subscriptions", deviceId, now, 1,
                today.minusDays(40), Optional.empty(), Optional.empty(), SubscriptionToken.OFFER_GRACE_DAYS, now),
                "demo", vendor.getPrivate());
        JsonObject args = new JsonObject();
        args.addProperty("token", token);
        call("subscription.install", args);
        JsonObject s = call("subscription.get", null);
        return "token installed (free first year, bought " + today.minusDays(40) + "): state "
                + s.get("state").getAsString() + ", cloud services on; the buffered readings go out now";
    }

    private String diagnostics() throws Exception {
        JsonObject d = call("diagnostics.get", null);
        int channels = d.getAsJsonArray("channels").size();
        int alarms = d.getAsJsonArray("alarms").size();
        JsonObject storage = d.getAsJsonObject("storage");
        return String.format(Locale.ROOT, "diagnostics.get: %d channels, %d alarms, agent %s, %d readings waiting,"
                        + " %.0f MB free on the unit", channels, alarms,
                d.getAsJsonObject("versions").get("agent").getAsString(), storage.get("pendingReadings").getAsLong(),
                storage.get("diskFreeBytes").getAsLong() / 1e6);
    }

    private String liveSession() throws Exception {
        int before = streamed().size();
        JsonObject args = JsonParser.parseString("{\"channels\":[\"supply_voltage\",\"main_air_pressure\"],"
                + "\"seconds\":3}").getAsJsonObject();
        JsonObject r = call("live.start", args);
        sleep(Duration.ofMillis(3_800));
        List<LiveSnapshot.Reading> got = streamed();
        List<LiveSnapshot.Reading> session = got.subList(Math.min(before, got.size()), got.size());
        if (session.isEmpty()) {
            throw new IllegalStateException("no live readings arrived");
        }
        LiveSnapshot.Reading last = session.get(session.size() - 1);
        return String.format(Locale.ROOT, "live.start (2 channels, every %d ms, 3 s): %d readings streamed, last %s"
                + " = %.2f; it stopped by itself", r.get("everyMs").getAsLong(), session.size(), last.channelId(),
                last.value());
    }

    private List<LiveSnapshot.Reading> streamed() throws Exception {
        List<LiveSnapshot.Reading> all = new ArrayList<>();
        for (CloudSubscriber.Received m : commander.subscriber().receivedOn(new Topics(deviceId).live())) {
            LiveSnapshot s = LiveSnapshot.decode(m.payload());
            if (s.kind().equals(LiveSnapshot.STREAM)) {
                all.addAll(s.readings());
            }
        }
        return all;
    }

    private String logo() throws Exception {
        byte[] svg;
        try (InputStream in = CloudOperator.class.getResourceAsStream("/demo/clinic-logo.svg")) {
            svg = in.readAllBytes();
        }
        byte[] png = new LogoFileWriter().encode(new LogoComposer().compose(svg,
                List.of("Д-р Мария Иванова", "Dr. Petar Georgiev"), LogoLayout.display()).image(), OutputFormat.PNG);
        Path logo = dir.resolve("cloud-files/clinic-logo.png");
        Files.write(logo, png);
        String id = "logo-" + System.currentTimeMillis();
        files.offer(id, "logo", "clinic-logo.png", logo, 64 * 1024, System.currentTimeMillis() + 600_000);
        await(() -> files.state(id).equals("done") || files.state(id).equals("rejected")
                || files.state(id).equals("failed"), "the logo transfer to end");
        if (!files.state(id).equals("done")) {
            throw new IllegalStateException("logo " + files.state(id) + ": " + files.lastProgress(id));
        }
        if (!Arrays.equals(Files.readAllBytes(dir.resolve("ui/display/logo.png")), png)) {
            throw new IllegalStateException("the installed logo differs from the one sent");
        }
        return String.format(Locale.ROOT, "logo composed from the clinic's SVG with 2 dentists' names (1280x800, %d KB),"
                + " sent in chunks, checked and installed as ui/display/logo.png (same bytes)", png.length / 1024);
    }

    private String xray() throws Exception {
        BufferedImage image = new BufferedImage(320, 240, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.DARK_GRAY);
        g.fillRect(0, 0, 320, 240);
        g.setColor(Color.LIGHT_GRAY);
        g.fillOval(80, 40, 160, 160);
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(image, "png", bytes);
        byte[] plain = bytes.toByteArray();
        int uploadsBefore = files.uploads().size();
        Path capture = dir.resolve("sensor/bitewing-" + System.currentTimeMillis() + ".png");
        Files.write(capture, plain);
        await(() -> files.uploads().values().stream().anyMatch(u -> u.kind().equals("xray") && u.confirmed()
                && u.name().endsWith(capture.getFileName().toString())), "the X-ray upload");
        CloudFilePeer.Upload up = files.uploads().values().stream().filter(u -> u.name().endsWith(
                capture.getFileName().toString())).findFirst().orElseThrow();
        if (!Arrays.equals(plain, Files.readAllBytes(up.file()))) {
            throw new IllegalStateException("the X-ray image at the cloud differs from the one captured");
        }
        return String.format(Locale.ROOT, "the sensor dropped %s (%d KB): encrypted in the unit's vault, sent in %d"
                        + " chunk(s), SHA-256 checked, confirmed by the cloud (%d upload(s) so far)",
                capture.getFileName(), plain.length / 1024, up.chunks(), uploadsBefore + 1);
    }

    private String settings() throws Exception {
        Path file = dir.resolve("ui/settings/installation.json");
        String topic = Topics.ROOT + "/" + deviceId + "/settings";
        // the cloud reads the document and starts an edit on it ...
        JsonObject names = JsonParser.parseString("{\"names\":[\"installation.json\"]}").getAsJsonObject();
        JsonObject doc = call("settings.get", names).getAsJsonArray("documents").get(0).getAsJsonObject();
        long base = doc.get("version").getAsLong();
        JsonObject edited = doc.getAsJsonObject("content").deepCopy();
        JsonObject chair = edited.has("chair") ? edited.getAsJsonObject("chair") : new JsonObject();
        int height = chair.has("maxHeight") ? chair.get("maxHeight").getAsInt() + 1 : 4;
        chair.addProperty("maxHeight", height);
        edited.add("chair", chair);
        // ... meanwhile the dentist changes another setting at the unit, which is backed up ...
        int flush = 5 + (int) ((System.currentTimeMillis() / 1000) % 5);
        JsonObject local = doc.getAsJsonObject("content").deepCopy();
        local.addProperty("spittoonFlushSeconds", flush);
        Files.writeString(file, local.toString());
        await(() -> commander.subscriber().receivedOn(topic).stream().anyMatch(m ->
                new String(m.payload(), StandardCharsets.UTF_8).contains("\"spittoonFlushSeconds\":" + flush)),
                "the backup of the local change");
        // ... and the cloud's edit, based on the older version, is merged with it
        JsonObject put = new JsonObject();
        JsonArray documents = new JsonArray();
        JsonObject d = new JsonObject();
        d.addProperty("name", "installation.json");
        d.add("content", edited);
        d.addProperty("baseVersion", base);
        documents.add(d);
        put.add("documents", documents);
        call("settings.put", put);
        JsonObject now = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        if (now.getAsJsonObject("chair").get("maxHeight").getAsInt() != height
                || now.get("spittoonFlushSeconds").getAsInt() != flush) {
            throw new IllegalStateException("the merge lost a change: " + now);
        }
        return "the cloud edited installation.json v" + base + " (chair.maxHeight=" + height + ") while the dentist"
                + " set spittoonFlushSeconds=" + flush + " at the unit (backed up); three-way merge kept both: " + now;
    }

    private String report() throws Exception {
        long now = System.currentTimeMillis();
        JsonObject args = new JsonObject();
        args.addProperty("from", now - 3_600_000);
        args.addProperty("to", now + 60_000);
        args.addProperty("bucketMinutes", 60);
        JsonArray channels = new JsonArray();
        channels.add("supply_voltage");
        args.add("channels", channels);
        JsonObject r = call("report.get", args);
        JsonObject ch = r.getAsJsonObject("channels").getAsJsonObject("supply_voltage");
        if (ch == null) {
            throw new IllegalStateException("no supply_voltage history yet");
        }
        long count = 0;
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (JsonElement b : ch.getAsJsonArray("buckets")) {
            JsonArray row = b.getAsJsonArray();
            count += row.get(1).getAsLong();
            min = Math.min(min, row.get(2).getAsDouble());
            max = Math.max(max, row.get(3).getAsDouble());
        }
        return String.format(Locale.ROOT, "report.get (last hour, supply_voltage): %d readings, min %.2f V, max %.2f V",
                count, min, max);
    }

    private void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline || stopping) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws Exception {
        stopping = true;
        thread.interrupt();
        thread.join(5_000);
        try {
            commander.close();
        } finally {
            files.close();
        }
    }
}
