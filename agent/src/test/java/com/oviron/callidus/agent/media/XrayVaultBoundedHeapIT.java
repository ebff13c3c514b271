package com.oviron.callidus.agent.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A 20 MB image through the vault in a JVM with a 16 MB heap: it streams, it never holds the image whole. */
class XrayVaultBoundedHeapIT {
    @TempDir
    Path tmp;

    @Test
    void a_20_mb_image_is_stored_read_and_delivered_with_a_16_mb_heap() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx16m", "-cp", System.getProperty("java.class.path"),
                VaultHeapProbe.class.getName(), tmp.toString())).redirectErrorStream(true).start();
        String output;
        try (var in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe finished");
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("OK maxHeap="), output);
        assertTrue(VaultHeapProbe.SIZE > 20 * 1024 * 1024);
    }
}
