package com.oviron.callidus.cloud.testing;

/**
 * A real MQTT broker on a loopback port that a test can stop and start again with its persistent sessions
 * kept: {@link EmbeddedBroker} (HiveMQ CE in this JVM) or {@link MosquittoBroker} (Debian's mosquitto).
 */
public interface TestBroker extends AutoCloseable {
    /** The URI a Paho client connects to. */
    String uri();

    int port();

    /** Starts again on the same port with the same persistent data. */
    void start();

    /** Stops the broker; clients lose their connections. */
    void stop();

    boolean isRunning();

    /** A short name for test reports. */
    String name();

    @Override
    void close();

    /** Starts the broker of the given kind ("hivemq" or "mosquitto") with its files under {@code workDir}. */
    static TestBroker start(String kind, java.nio.file.Path workDir) {
        return switch (kind) {
            case "hivemq" -> EmbeddedBroker.start(workDir);
            case "mosquitto" -> MosquittoBroker.start(workDir);
            default -> throw new IllegalArgumentException("unknown broker kind " + kind);
        };
    }
}
