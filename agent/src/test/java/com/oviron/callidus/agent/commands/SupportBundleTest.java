package com.oviron.callidus.agent.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.oviron.callidus.hal.fake.ManualClock;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupportBundleTest {
    @TempDir
    Path dir;

    @Test
    void writes_diagnostics_log_and_configuration_and_keeps_the_newest_three() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-11-22T10:00:00Z"));
        SupportBundle bundles = new SupportBundle(dir, clock);
        JsonObject diagnostics = new JsonObject();
        diagnostics.addProperty("device", "CAL-9");
        SupportBundle.Bundle b = bundles.write("CAL-9", diagnostics, "AgentConfig[mqtt=Mqtt[password=***]]");
        assertEquals("support-CAL-9-20261122T100000Z.zip", b.file().getFileName().toString());
        assertEquals(Files.size(b.file()), b.size());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(b.file()))),
                b.sha256());
        Map<String, String> entries = new HashMap<>();
        try (InputStream in = Files.newInputStream(b.file()); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                entries.put(e.getName(), new String(zip.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        assertTrue(entries.get("diagnostics.json").contains("\"device\": \"CAL-9\""));
        assertTrue(entries.get("configuration.txt").contains("***"));
        assertTrue(entries.containsKey("recent-log.txt"));
        assertTrue(entries.containsKey("README.txt"));

        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofMinutes(1));
            bundles.write("CAL-9", diagnostics, "c");
        }
        try (Stream<Path> files = Files.list(dir.resolve("bundles"))) {
            assertEquals(SupportBundle.KEEP, files.count(), "older bundles pruned, no temp files left");
        }
    }
}
