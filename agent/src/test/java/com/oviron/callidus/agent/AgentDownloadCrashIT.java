package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudCommander;
import com.oviron.callidus.cloud.testing.CloudFilePeer;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.store.transfers.SqliteTransferStore;
import com.oviron.callidus.store.transfers.StoredTransfer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged agent in a child JVM, killed with SIGKILL in the middle of a download whose part file is forced
 * and whose chunks are booked once per window (ADR 0027). As the kill left them, every chunk the transfer store
 * counts done is in the part file; the restarted agent asks for exactly the chunks the store did not count, none
 * it had, and the file arrives whole.
 *
 * <p>The download is stopped in the middle by the cloud serving a fixed number of chunks, whatever the
 * machine's speed; the kill then comes at a random moment of up to 1.5 s (a tick books what a window left).
 */
class AgentDownloadCrashIT {
    private static final Path JAR = Path.of("target", "callidus-agent.jar");
    private static final String DEVICE = "CAL-DLCRASH-1";
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int CHUNK = 16 * 1024;
    private static final int SERVED_BEFORE_KILL = 21;

    @TempDir
    Path dir;

    @Test
    void sigkill_during_a_windowed_download_resumes_with_exactly_the_chunks_not_booked() throws Exception {
        assertTrue(Files.exists(JAR), "run after package: " + JAR.toAbsolutePath());
        Files.createDirectories(dir.resolve("ui/viewer"));
        Files.createDirectories(dir.resolve("sensor"));
        byte[] image = dicom(1_500_000);
        Path source = Files.write(Files.createDirectories(dir.resolve("cloud")).resolve("scan.dcm"), image);
        int chunks = (image.length + CHUNK - 1) / CHUNK;
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             CloudFilePeer peer = new CloudFilePeer(broker.uri(), "cloud-files", new Topics(DEVICE),
                     dir.resolve("cloud"));
             CloudCommander cloud = new CloudCommander(broker.uri(), "cloud-ops", DEVICE)) {
            Path config = dir.resolve("agent.json");
            Files.writeString(config, """
                    {"device": {"id": "%s"},
                     "hal": {"source": "simulator", "samplePeriod": "100ms"},
                     "store": {"path": "state/agent.db"},
                     "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "50ms", "reconnectMax": "300ms"},
                     "xray": {"viewerFolder": "ui/viewer", "captureFolder": "sensor"}}
                    """.formatted(DEVICE, broker.uri()));
            peer.limitChunks(SERVED_BEFORE_KILL);
            Process first = start(config, 0);
            cloud.awaitOnline(1, WAIT);
            peer.offer("x-1", "xray", "scan.dcm", source, CHUNK, System.currentTimeMillis() + 600_000);
            Await.until(() -> SERVED_BEFORE_KILL + " chunks served, have " + peer.served("x-1").size()
                    + "; the agent's output:\n" + tail(log(0)), WAIT,
                    () -> peer.served("x-1").size() >= SERVED_BEFORE_KILL || !first.isAlive());
            assertTrue(first.isAlive(), () -> "the agent ended by itself:\n" + tail(log(0)));
            Thread.sleep(new Random(20261204).nextInt(1_500)); // a random moment: the experiment, not a wait
            first.destroyForcibly(); // SIGKILL
            assertTrue(first.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(137, first.exitValue(), "killed by SIGKILL");

            // as the kill left them: every chunk counted done is on disk
            StoredTransfer booked = bookedAsTheKillLeftIt("x-1");
            byte[] part = Files.readAllBytes(dir.resolve("state/transfers/x-1.part"));
            Set<Integer> had = new HashSet<>();
            for (int c = booked.done().nextSetBit(0); c >= 0; c = booked.done().nextSetBit(c + 1)) {
                had.add(c);
                int from = c * CHUNK;
                int to = Math.min(image.length, from + CHUNK);
                assertTrue(part.length >= to, "chunk " + c + " is booked but the part file ends at " + part.length);
                assertArrayEquals(Arrays.copyOfRange(image, from, to), Arrays.copyOfRange(part, from, to),
                        "chunk " + c + " is booked: its bytes are in the part file");
            }
            assertTrue(had.size() <= SERVED_BEFORE_KILL, "only what was served: " + had);

            int servedBefore = peer.served("x-1").size();
            peer.unlimitChunks();
            Process second = start(config, 1);
            try {
                Await.until(() -> "the resumed download done: " + peer.lastProgress("x-1") + "; its output:\n"
                        + tail(log(1)), WAIT, () -> "done".equals(peer.state("x-1")) || !second.isAlive());
                assertEquals("done", peer.state("x-1"), () -> tail(log(1)));
                List<Integer> after = new ArrayList<>(peer.served("x-1").subList(servedBefore,
                        peer.served("x-1").size()));
                for (int c : after) {
                    assertTrue(!had.contains(c), "chunk " + c + " was booked before the kill but asked for again");
                }
                for (int c = 0; c < chunks; c++) {
                    assertTrue(had.contains(c) || after.contains(c), "chunk " + c + " never came");
                }
                Path delivered;
                try (Stream<Path> viewer = Files.list(dir.resolve("ui/viewer"))) {
                    delivered = viewer.filter(p -> p.getFileName().toString().endsWith("scan.dcm")).findFirst()
                            .orElseThrow(() -> new AssertionError("no scan.dcm in the viewer folder"));
                }
                assertArrayEquals(image, Files.readAllBytes(delivered));
                System.out.printf("download crash test: %d of %d chunks booked at the kill, %d asked for after it%n",
                        had.size(), chunks, after.size());
            } finally {
                second.destroy();
                second.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    /** A DICOM Part 10 file (the magic at offset 128) of random content that does not compress. */
    private static byte[] dicom(int size) {
        byte[] b = new byte[size];
        new Random(5).nextBytes(b);
        Arrays.fill(b, 0, 128, (byte) 0);
        System.arraycopy("DICM".getBytes(StandardCharsets.US_ASCII), 0, b, 128, 4);
        return b;
    }

    private StoredTransfer bookedAsTheKillLeftIt(String id) throws Exception {
        Path copy = Files.createDirectories(dir.resolve("copy"));
        for (String name : List.of("transfers.db", "transfers.db-wal")) {
            Path file = dir.resolve("state").resolve(name);
            if (Files.exists(file)) {
                Files.copy(file, copy.resolve(name));
            }
        }
        try (SqliteTransferStore store = SqliteTransferStore.open(copy.resolve("transfers.db"), Clock.systemUTC())) {
            return store.find(id).orElseThrow();
        }
    }

    private Process start(Path config, int run) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toString(), "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(run).toFile()))
                .start();
    }

    private Path log(int run) {
        return dir.resolve("agent-" + run + ".log");
    }

    private static String tail(Path log) {
        try {
            if (!Files.exists(log)) {
                return "(no output yet)";
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
