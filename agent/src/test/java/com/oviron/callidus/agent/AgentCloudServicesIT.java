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
import com.oviron.callidus.cloud.testing.CloudCommander;
import com.oviron.callidus.cloud.testing.CloudFilePeer;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.hal.fake.ScriptedSensorPort;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's cloud services end to end through a real broker: a logo and an X-ray image pushed by the
 * cloud, an X-ray image dropped by the sensor software and sent to the cloud, settings backed up and
 * changed, and a support bundle sent — all through the agent as {@code Main} builds it.
 */
class AgentCloudServicesIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String DEVICE = "CAL-SVC-1";

    @TempDir
    Path dir;

    private AgentConfig config(String brokerUri) throws ConfigException {
        return AgentConfigLoader.parse("""
                {"device": {"id": "%s"},
                 "hal": {"source": "simulator", "samplePeriod": "50ms"},
                 "store": {"path": "state/agent.db"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "50ms", "reconnectMax": "300ms"},
                 "settings": {"folder": "ui/settings", "quietPeriod": "200ms", "rescanInterval": "1s"},
                 "display": {"folder": "ui/display"},
                 "xray": {"viewerFolder": "ui/viewer", "captureFolder": "sensor", "captureQuietPeriod": "300ms"}}
                """.formatted(DEVICE, brokerUri), dir);
    }

    private static byte[] png(int width, int height, Color color) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, width, height);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    @Test
    void files_settings_and_support_bundles_go_both_ways() throws Exception {
        Files.createDirectories(dir.resolve("ui/settings"));
        Files.createDirectories(dir.resolve("sensor"));
        Files.writeString(dir.resolve("ui/settings/installation.json"),
                "{\"chair\":{\"maxHeight\":3},\"language\":\"bg\"}");
        String settingsTopic = SettingsSync.topic(new Topics(DEVICE));
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             CloudFilePeer peer = new CloudFilePeer(broker.uri(), "cloud-files", new Topics(DEVICE),
                     Files.createDirectories(dir.resolve("cloud")));
             CloudCommander cloud = new CloudCommander(broker.uri(), "cloud-ops", DEVICE, settingsTopic)) {
            Agent agent = Agent.start(config(broker.uri()), new ScriptedSensorPort(Clock.systemUTC(), 3),
                    Clock.systemUTC());
            try {
                cloud.awaitOnline(1, WAIT);
                long deadline = System.currentTimeMillis() + 600_000;

                // a logo from the cloud is checked and installed where the display software reads it
                Path logo = dir.resolve("cloud/clinic.png");
                Files.write(logo, png(600, 300, Color.BLUE));
                peer.offer("logo-1", "logo", "clinic.png", logo, 16 * 1024, deadline);
                Await.until(() -> "logo installed: " + peer.lastProgress("logo-1"), WAIT,
                        () -> peer.state("logo-1").equals("done"));
                assertArrayEquals(Files.readAllBytes(logo), Files.readAllBytes(dir.resolve("ui/display/logo.png")));

                // a file that only claims to be a PNG is refused with the reason, the logo stays
                Path fake = dir.resolve("cloud/fake.png");
                Files.writeString(fake, "not an image at all");
                peer.offer("logo-2", "logo", "fake.png", fake, 16 * 1024, deadline);
                Await.until("fake logo refused", WAIT, () -> peer.state("logo-2").equals("rejected"));
                assertFalse(peer.lastProgress("logo-2").get("reason").getAsString().isBlank());
                assertArrayEquals(Files.readAllBytes(logo), Files.readAllBytes(dir.resolve("ui/display/logo.png")));

                // an X-ray image from the cloud reaches the viewer folder; the agent's own copy is encrypted
                Path pano = dir.resolve("cloud/pano.png");
                Files.write(pano, png(64, 48, Color.GRAY));
                peer.offer("xray-1", "xray", "pano.png", pano, 16 * 1024, deadline);
                Await.until("x-ray delivered", WAIT, () -> peer.state("xray-1").equals("done"));
                Path delivered;
                try (Stream<Path> viewer = Files.list(dir.resolve("ui/viewer"))) {
                    delivered = viewer.filter(p -> p.getFileName().toString().endsWith("_pano.png")).findFirst()
                            .orElseThrow(() -> new AssertionError("no pano.png in the viewer folder"));
                }
                assertArrayEquals(Files.readAllBytes(pano), Files.readAllBytes(delivered));
                try (Stream<Path> vault = Files.walk(dir.resolve("state/xray"))) {
                    byte[] plain = Files.readAllBytes(pano);
                    assertTrue(vault.filter(Files::isRegularFile).noneMatch(p -> contains(p, plain)),
                            "no plain copy in the vault");
                }

                // an image the sensor software drops is encrypted, sent to the cloud, confirmed, and removed
                byte[] bitewing = png(80, 60, Color.DARK_GRAY);
                Files.write(dir.resolve("sensor/bitewing.png"), bitewing);
                Await.until("captured x-ray at the cloud", WAIT, () -> peer.uploads().values().stream()
                        .anyMatch(u -> u.kind().equals("xray") && u.confirmed()));
                CloudFilePeer.Upload up = peer.uploads().values().stream().filter(u -> u.kind().equals("xray"))
                        .findFirst().orElseThrow();
                assertArrayEquals(bitewing, Files.readAllBytes(up.file()));
                assertTrue(up.name().endsWith("-bitewing.png"), up.name());
                Await.until("capture folder emptied", WAIT, () -> !Files.exists(dir.resolve("sensor/bitewing.png")));

                // a local settings change is backed up; a cloud change is merged into the file
                Files.writeString(dir.resolve("ui/settings/installation.json"),
                        "{\"chair\":{\"maxHeight\":3},\"language\":\"en\"}");
                Await.until("backup of the local change", WAIT, () -> cloud.subscriber().receivedOn(settingsTopic)
                        .stream().anyMatch(m -> new String(m.payload(), StandardCharsets.UTF_8).contains("\"en\"")));
                JsonObject put = JsonParser.parseString("""
                        {"documents":[{"name":"installation.json","content":{"chair":{"maxHeight":4},"language":"en"}}]}
                        """).getAsJsonObject();
                JsonObject reply = cloud.call("settings.put", put, WAIT);
                assertTrue(reply.get("ok").getAsBoolean(), reply.toString());
                assertEquals(4, JsonParser.parseString(Files.readString(dir.resolve("ui/settings/installation.json")))
                        .getAsJsonObject().getAsJsonObject("chair").get("maxHeight").getAsInt());

                // a screen saver the unit's own software installed is backed up to the cloud; the logo the cloud
                // sent is not sent back
                byte[] saver = png(1280, 800, Color.GREEN);
                Files.write(dir.resolve("ui/display/screensaver.png"), saver);
                Await.until("screen saver backed up", WAIT, () -> peer.uploads().values().stream()
                        .anyMatch(u -> u.kind().equals("screensaver") && u.confirmed()));
                CloudFilePeer.Upload saved = peer.uploads().values().stream()
                        .filter(u -> u.kind().equals("screensaver")).findFirst().orElseThrow();
                assertArrayEquals(saver, Files.readAllBytes(saved.file()));
                assertTrue(peer.uploads().values().stream().noneMatch(u -> u.kind().equals("logo")));

                // a support bundle is written and sent as a file
                JsonObject bundle = cloud.call("support.bundle", null, WAIT);
                assertTrue(bundle.get("ok").getAsBoolean(), bundle.toString());
                String transfer = bundle.getAsJsonObject("result").get("transferId").getAsString();
                Await.until("support bundle at the cloud", WAIT,
                        () -> peer.upload(transfer) != null && peer.upload(transfer).confirmed());
                assertEquals("support_bundle", peer.upload(transfer).kind());
                assertEquals(bundle.getAsJsonObject("result").get("size").getAsLong(),
                        Files.size(peer.upload(transfer).file()));
            } finally {
                agent.close();
            }
        }
    }

    private static boolean contains(Path file, byte[] needle) {
        try {
            byte[] hay = Files.readAllBytes(file);
            outer:
            for (int i = 0; i + 16 <= hay.length; i++) {
                for (int j = 0; j < 16; j++) {
                    if (hay[i + j] != needle[j + 32]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
