package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.TelemetryBatch;
import com.oviron.callidus.cloud.TelemetryBatchCodec;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.store.TelemetryRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The packaged agent jar as a child JVM, for the ITs that prove the agent as it ships: start with a config, stop
 * with SIGTERM, read its log; and the telemetry sequence numbers a cloud subscriber has.
 */
final class PackagedAgent implements AutoCloseable {
    static final Path JAR = Path.of("target", "callidus-agent.jar");

    private final Process process;
    private final Path log;

    private PackagedAgent(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code java -jar callidus-agent.jar --config config}, its output appended to {@code log}. */
    static PackagedAgent start(Path config, Path log, String... jvmOptions) throws IOException {
        assertTrue(Files.exists(JAR), "run after package: " + JAR.toAbsolutePath());
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", JAR.toString(), "--config", config.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new PackagedAgent(p, log);
    }

    /** SIGTERM; the agent must stop within a minute with 143. */
    void stop() throws InterruptedException {
        process.destroy();
        try {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "agent did not stop on SIGTERM:\n" + tail());
        } finally {
            process.destroyForcibly();
        }
        assertEquals(143, process.exitValue(), tail());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The last 20,000 characters of the log. */
    String tail() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.length() > 20_000 ? text.substring(text.length() - 20_000) : text;
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    /** The sequence numbers of the readings in the telemetry batches the subscribers received, duplicates dropped. */
    static TreeSet<Long> seqs(String topic, CloudSubscriber... cloud) {
        TreeSet<Long> seqs = new TreeSet<>();
        for (CloudSubscriber c : cloud) {
            for (CloudSubscriber.Received m : c.receivedOn(topic)) {
                try {
                    TelemetryBatch b = TelemetryBatchCodec.decode(m.payload());
                    for (TelemetryRecord r : b.readings()) {
                        seqs.add(r.seq());
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        }
        return seqs;
    }
}
