package com.oviron.callidus.cloud;

import java.util.concurrent.CompletableFuture;

/**
 * The port to the MQTT broker: one session that keeps itself connected (backoff with jitter, also when
 * the very first connect fails) and announces the unit's presence with a retained status message and a
 * last will. Implementations: {@code cloud.paho} (real) and {@code cloud.fake}.
 */
public interface MqttConnection extends AutoCloseable {

    /** Starts connecting in the background; returns at once. */
    void start();

    /** Whether the session is up now. */
    boolean isConnected();

    /**
     * Publishes a message.
     *
     * @return completes when the broker has acknowledged it (PUBACK for QoS 1), or exceptionally: with
     *     {@link NotConnectedException} (not connected, or the session ended before the acknowledgement),
     *     {@link LinkBusyException} (a queue on the unit is full) or {@link PublishRefusedException} (the broker's
     *     refusal); never completes on the caller's thread synchronously from a library callback
     */
    CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retained);

    /**
     * Publishes a message with MQTT 5 properties (a reply's correlation data). A connection that speaks MQTT 3.1.1
     * sends the message without them: 3.1.1 has no properties.
     */
    default CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retained,
                                            MessageProperties properties) {
        return publish(topic, payload, qos, retained);
    }

    /**
     * Subscribes to a topic filter ({@code +} and {@code #} allowed) for the life of the connection: the
     * subscription is made again on every connect. With a persistent session the broker also keeps what
     * arrives for it while the unit is away.
     */
    void subscribe(String filter, int qos, MessageListener listener);

    /** Registers a listener; it is told {@code connected()} at once if the session is already up. */
    void addListener(ConnectionListener listener);

    /** What the link refused or repaired since start; {@link LinkStats#NONE} for one that counts nothing. */
    default LinkStats stats() {
        return LinkStats.NONE;
    }

    /** Announces "offline" (retained), disconnects and stops reconnecting. */
    @Override
    void close();
}
