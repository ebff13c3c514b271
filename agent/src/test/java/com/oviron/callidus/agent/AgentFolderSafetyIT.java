package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.agent.settings.SettingsSync;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudFilePeer;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 through the packaged agent: before it starts, links, hard links, a FIFO and planted commit manifests
 * are put in every folder other software writes (settings, display, X-ray capture and viewer) and in its
 * transfer folder, each aimed at files outside (a key, patients' images, a configuration). The agent must read,
 * upload, rename and delete nothing outside its folders, log each refusal once, raise it as an alarm, and go on
 * sending telemetry and doing its work with the plain files beside them.
 */
class AgentFolderSafetyIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Path JAR = Path.of("target", "callidus-agent.jar");
    private static final String DEVICE = "CAL-FOLDERS-1";
    private static final String PLANTED_TEMP = ".settings-0badc0de-0000-4000-8000-000000000001.tmp";

    @TempDir
    Path dir;

    private Process start(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static byte[] png(int width, int height, Color color) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, width, height);
        g.setColor(color.darker());
        g.drawLine(0, 0, width - 1, height - 1);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static void mkfifo(Path p) throws Exception {
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor(), "mkfifo " + p);
    }

    /** Every file below {@code root} (links not followed) with its bytes. */
    private static Map<String, byte[]> snapshot(Path root) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                files.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Log lines of refusals of {@code entry} in {@code folder}. */
    private static long refusals(Path log, String folder, String entry) {
        return read(log).lines().filter(l -> l.contains("shared folder entry refused folder=" + folder + " ")
                && l.contains(" entry=" + entry + " ")).count();
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void links_fifos_hard_links_and_planted_manifests_are_refused_once_and_the_agent_keeps_working() throws Exception {
        assertTrue(Files.exists(JAR), "run after package: " + JAR.toAbsolutePath());
        // what an attacker wants: a key read, patients' images uploaded, a configuration renamed over or deleted
        Path outside = Files.createDirectories(dir.resolve("outside"));
        byte[] key = new byte[32];
        new Random(10).nextBytes(key);
        Files.write(outside.resolve("xray.key"), key);
        Files.setPosixFilePermissions(outside.resolve("xray.key"), PosixFilePermissions.fromString("rw-------"));
        byte[] patientA = png(1280, 800, Color.ORANGE);
        byte[] patientB = png(90, 70, Color.MAGENTA);
        Files.write(outside.resolve("patient-a.png"), patientA);
        Files.write(outside.resolve("patient-b.png"), patientB);
        Path etc = Files.createDirectories(outside.resolve("etc"));
        Files.writeString(etc.resolve("agent.json"), "{\"the agent's own configuration\":true}");
        Files.writeString(etc.resolve("keep.json"), "{\"deleted by the planted manifest\":false}");
        Map<String, byte[]> outsideBefore = snapshot(outside);

        // settings: users/ is a link to etc/, a planted manifest renames a planted temp file over users/agent.json
        // and deletes users/keep.json; the agent's own manifest was tampered with to reach out of the folder
        Path settings = Files.createDirectories(dir.resolve("ui/settings"));
        Files.writeString(settings.resolve("installation.json"), "{\"language\":\"bg\"}");
        Files.createSymbolicLink(settings.resolve("users"), etc);
        Files.writeString(settings.resolve(PLANTED_TEMP), "{\"planted\":true}");
        Files.writeString(settings.resolve(".settings-commit.json"), "{\"renames\":[{\"from\":\"" + PLANTED_TEMP
                + "\",\"to\":\"users/agent.json\"}],\"deletes\":[\"users/keep.json\"]}");
        Path state = Files.createDirectories(dir.resolve("state"));
        Files.writeString(state.resolve("settings-commit.json"), "{\"renames\":[{\"from\":\"../../outside/etc/"
                + "agent.json\",\"to\":\"installation.json\"}],\"deletes\":[\"../../outside/etc/keep.json\"]}");
        // display: the logo is a link to the key, the screen saver a hard link to a patient's image
        Path display = Files.createDirectories(dir.resolve("ui/display"));
        Files.createSymbolicLink(display.resolve("logo.png"), outside.resolve("xray.key"));
        Files.createLink(display.resolve("screensaver.png"), outside.resolve("patient-a.png"));
        // capture: a link and a hard link to a patient's image, a FIFO; and one real image
        Path sensor = Files.createDirectories(dir.resolve("sensor"));
        Files.createSymbolicLink(sensor.resolve("scan-link.png"), outside.resolve("patient-b.png"));
        Files.createLink(sensor.resolve("scan-hard.png"), outside.resolve("patient-b.png"));
        mkfifo(sensor.resolve("scan-fifo.dcm"));
        byte[] bitewing = png(80, 60, Color.DARK_GRAY);
        Files.write(sensor.resolve("bitewing.png"), bitewing);
        // viewer: a link named like the agent's temp file; transfers: a link where the next part file goes
        Path viewer = Files.createDirectories(dir.resolve("ui/viewer"));
        Files.createSymbolicLink(viewer.resolve(".20260101-000000_0badc0de_pano.png.tmp"), outside.resolve("xray.key"));
        Files.createSymbolicLink(Files.createDirectories(state.resolve("transfers")).resolve("xray-7.part"),
                outside.resolve("xray.key"));

        byte[] saver = png(1280, 800, Color.GREEN);
        byte[] second = png(70, 50, Color.CYAN);
        String settingsTopic = SettingsSync.topic(new Topics(DEVICE));
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-all", "callidus/v1/" + DEVICE + "/#");
             CloudFilePeer peer = new CloudFilePeer(broker.uri(), "cloud-files", new Topics(DEVICE),
                     Files.createDirectories(dir.resolve("cloud")))) {
            Path config = dir.resolve("agent.json");
            Files.writeString(config, """
                    {"device": {"id": "%s"},
                     "hal": {"samplePeriod": "100ms"},
                     "store": {"path": "state/agent.db", "groupCommitDelay": "200ms"},
                     "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "100ms", "reconnectMax": "1s"},
                     "sync": {"interval": "200ms"},
                     "settings": {"folder": "ui/settings", "quietPeriod": "200ms", "rescanInterval": "1s"},
                     "display": {"folder": "ui/display"},
                     "xray": {"viewerFolder": "ui/viewer", "captureFolder": "sensor", "captureQuietPeriod": "300ms"}}
                    """.formatted(DEVICE, broker.uri()));
            Path log = dir.resolve("agent.log");
            Process agent = start(log, "--config", config.toString());
            String telemetry = new Topics(DEVICE).telemetry();
            try {
                Await.until(() -> "telemetry; the agent's output:\n" + read(log), WAIT,
                        () -> cloud.receivedOn(telemetry).size() >= 2);

                // every planted entry is refused and logged
                String[][] expected = {
                    {"settings", ".settings-commit.json"}, {"settings", "settings-commit.json"}, {"settings", "users"},
                    {"display", "logo.png"}, {"display", "screensaver.png"},
                    {"x-ray capture", "scan-link.png"}, {"x-ray capture", "scan-hard.png"},
                    {"x-ray capture", "scan-fifo.dcm"}, {"x-ray viewer", ".20260101-000000_0badc0de_pano.png.tmp"},
                };
                for (String[] e : expected) {
                    Await.until(() -> "refusal of " + e[1] + " in the " + e[0] + " folder logged:\n" + read(log), WAIT,
                            () -> refusals(log, e[0], e[1]) >= 1);
                }

                // the real captured image goes to the cloud; the FIFO did not hold the capture thread
                Await.until("captured x-ray at the cloud", WAIT, () -> peer.uploads().values().stream()
                        .anyMatch(u -> u.kind().equals("xray") && u.confirmed()));

                // a real screen saver in place of the hard link is backed up (a later logo backup scan)
                Files.delete(display.resolve("screensaver.png"));
                Files.write(display.resolve("screensaver.png"), saver);
                Await.until("screen saver backed up", WAIT, () -> peer.uploads().values().stream()
                        .anyMatch(u -> u.kind().equals("screensaver") && u.confirmed()));

                // a local settings change is still backed up (later scans), the documents behind users/ never
                Files.writeString(settings.resolve("installation.json"), "{\"language\":\"en\"}");
                Await.until("backup of the local change", WAIT, () -> cloud.receivedOn(settingsTopic).stream()
                        .anyMatch(m -> new String(m.payload(), StandardCharsets.UTF_8).contains("\"en\"")));

                // an X-ray from the cloud whose part file name was taken by a link, delivered to the viewer
                byte[] pano = png(64, 48, Color.GRAY);
                Path panoFile = Files.write(dir.resolve("cloud-pano.png"), pano);
                long deadline = System.currentTimeMillis() + 600_000;
                peer.offer("xray-7", "xray", "pano.png", panoFile, 16 * 1024, deadline);
                Await.until(() -> "x-ray delivered: " + peer.lastProgress("xray-7"), WAIT,
                        () -> peer.state("xray-7").equals("done"));
                try (Stream<Path> copies = Files.list(viewer)) {
                    Path copy = copies.filter(p -> p.getFileName().toString().endsWith("_pano.png")).findFirst()
                            .orElseThrow(() -> new AssertionError("no pano.png in the viewer folder"));
                    assertArrayEquals(pano, Files.readAllBytes(copy));
                }
                assertEquals(1, refusals(log, "transfer", "xray-7.part"), read(log));

                // a logo from the cloud replaces the link; the key is never kept as the "previous" logo
                byte[] logo = png(600, 300, Color.BLUE);
                Path logoFile = Files.write(dir.resolve("cloud-logo.png"), logo);
                peer.offer("logo-1", "logo", "clinic.png", logoFile, 16 * 1024, deadline);
                Await.until(() -> "logo installed: " + peer.lastProgress("logo-1"), WAIT,
                        () -> peer.state("logo-1").equals("done"));
                assertFalse(Files.isSymbolicLink(display.resolve("logo.png")));
                assertArrayEquals(logo, Files.readAllBytes(display.resolve("logo.png")));
                assertFalse(Files.exists(display.resolve("logo.previous.png"), LinkOption.NOFOLLOW_LINKS));

                // later polls of the capture folder take a new image; the odd entries are not reported again
                Files.write(sensor.resolve("second.png"), second);
                Await.until("second capture at the cloud", WAIT, () -> peer.uploads().values().stream()
                        .filter(u -> u.kind().equals("xray") && u.confirmed()).count() == 2);

                // still sending telemetry after all of it
                int sofar = cloud.receivedOn(telemetry).size();
                Await.until("more telemetry", WAIT, () -> cloud.receivedOn(telemetry).size() > sofar);

                // each refusal logged once, however many scans saw it
                for (String[] e : expected) {
                    assertEquals(1, refusals(log, e[0], e[1]), e[1] + " in the " + e[0] + " folder:\n" + read(log));
                }
                // and raised once as an alarm event for the cloud
                Await.until("refusal alarms at the cloud", WAIT, () -> folderAlarms(cloud).size() >= expected.length
                        + 1);
                List<String> alarms = folderAlarms(cloud);
                for (String[] e : expected) {
                    assertEquals(1, alarms.stream().filter(a -> a.startsWith(e[0] + " folder ")
                            && a.contains("'" + e[1] + "' refused")).count(), e[1] + ": " + alarms);
                }

                agent.destroy(); // SIGTERM
                assertTrue(agent.waitFor(30, TimeUnit.SECONDS), "agent did not stop on SIGTERM");
                assertEquals(143, agent.exitValue(), read(log));
            } finally {
                agent.destroyForcibly();
            }

            // nothing outside was read, changed, renamed over or deleted
            Map<String, byte[]> outsideAfter = snapshot(outside);
            assertEquals(outsideBefore.keySet(), outsideAfter.keySet());
            outsideBefore.forEach((name, bytes) -> assertArrayEquals(bytes, outsideAfter.get(name), name));
            // and none of it reached the broker, in any message on any topic
            for (CloudSubscriber.Received m : cloud.received()) {
                assertFalse(contains(m.payload(), key), "the key on " + m.topic());
                assertFalse(contains(m.payload(), java.util.Arrays.copyOfRange(patientA, 100, 164)), m.topic());
                assertFalse(contains(m.payload(), java.util.Arrays.copyOfRange(patientB, 40, 104)), m.topic());
            }
            assertTrue(peer.uploads().values().stream().noneMatch(u -> u.kind().equals("logo")));
            for (CloudFilePeer.Upload u : peer.uploads().values()) {
                byte[] got = Files.readAllBytes(u.file());
                assertTrue(java.util.Arrays.equals(got, bitewing) || java.util.Arrays.equals(got, second)
                        || java.util.Arrays.equals(got, saver), u.kind() + " " + u.name());
            }
            // the planted manifest is kept aside, not carried out; the tampered one of the agent too
            try (Stream<Path> s = Files.list(settings)) {
                assertEquals(1, s.filter(p -> p.getFileName().toString().startsWith(".settings-commit.json.refused-"))
                        .count());
            }
            assertFalse(Files.exists(state.resolve("settings-commit.json")));
            try (Stream<Path> s = Files.list(state)) {
                assertEquals(1, s.filter(p -> p.getFileName().toString().startsWith("settings-commit.json.refused-"))
                        .count());
            }
            // the odd entries in the capture folder are left where they are for service
            assertTrue(Files.isSymbolicLink(sensor.resolve("scan-link.png")));
            assertTrue(Files.exists(sensor.resolve("scan-hard.png")));
            assertFalse(Files.exists(sensor.resolve("bitewing.png")), "the real image was taken");
        }
    }

    private static List<String> folderAlarms(CloudSubscriber cloud) {
        List<String> out = new ArrayList<>();
        for (CloudSubscriber.Received m : cloud.receivedOn(new Topics(DEVICE).events())) {
            JsonObject e = JsonParser.parseString(new String(m.payload(), StandardCharsets.UTF_8)).getAsJsonObject();
            if (e.get("kind").getAsString().equals("folder.refused")) {
                assertEquals("alarm", e.get("severity").getAsString());
                out.add(e.get("message").getAsString());
            }
        }
        return out;
    }

    @Test
    void unsafe_permissions_of_its_own_files_stop_the_packaged_agent_with_exit_1_naming_each_file() throws Exception {
        Path state = Files.createDirectories(dir.resolve("state"));
        Path key = Files.write(state.resolve("xray.key"), new byte[32]);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        Path journal = Files.writeString(state.resolve("commands.db"), "");
        Files.setPosixFilePermissions(journal, PosixFilePermissions.fromString("rw-rw-rw-"));
        Path config = dir.resolve("agent.json");
        Files.writeString(config, """
                {"device": {"id": "CAL-FOLDERS-2"}, "store": {"path": "state/agent.db"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://127.0.0.1:1", "password": "secret"},
                 "xray": {"viewerFolder": "viewer"}}
                """);
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        Path log = dir.resolve("refused.log");
        Process agent = start(log, "--config", config.toString());
        assertTrue(agent.waitFor(60, TimeUnit.SECONDS), "the agent did not stop");
        String output = read(log);
        assertEquals(1, agent.exitValue(), output);
        assertTrue(output.contains("error: agent cannot start: unsafe ownership or permissions"), output);
        assertTrue(output.contains(key + " (X-ray vault key): mode 0644"), output);
        assertTrue(output.contains(journal + " (state database): mode 0666"), output);
        assertTrue(output.contains(config + " (configuration, with a password): mode 0644"), output);
        assertFalse(Files.exists(state.resolve("agent.db")), "nothing was opened");
        assertFalse(Files.exists(dir.resolve("viewer")), "nothing was made");
    }
}
