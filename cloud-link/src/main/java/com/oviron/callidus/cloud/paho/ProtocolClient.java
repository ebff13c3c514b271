package com.oviron.callidus.cloud.paho;

import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.MessageProperties;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * One MQTT client library session, for {@link PahoMqttConnection}: one client object per connect attempt, used for
 * that attempt's session only and closed when it ends (a new session never inherits a half-sent message, topic
 * aliases or other state from the one before). Implementations: {@link Paho3Client} (MQTT 3.1.1) and
 * {@link Paho5Client} (MQTT 5). Their callbacks run on the library's threads and must only hand over.
 */
interface ProtocolClient {
    /** What the client tells the connection; called on the library's threads. */
    interface Events {
        /** The session ended (not after {@link #close()}). */
        void lost(PendingPublishes.Loss loss);

        /** A message arrived; may wait (the hand-over's budget), which makes the library stop reading. */
        void arrived(String topic, byte[] payload, MessageProperties properties);
    }

    /** What the broker said in its CONNACK. */
    record Connected(boolean sessionPresent, Optional<Duration> serverKeepAlive, OptionalLong maximumPacketSize,
                     Optional<Duration> sessionExpiry) {
        static final Connected PLAIN = new Connected(false, Optional.empty(), OptionalLong.empty(), Optional.empty());
    }

    /** What one connect attempt needs besides the {@link LinkSettings}. */
    record Attempt(String uri, String willTopic, byte[] willPayload, javax.net.SocketFactory sockets) {
    }

    /** Makes the client of one attempt. */
    interface Factory {
        ProtocolClient create(LinkSettings settings, Attempt attempt, Events events);
    }

    /** Starts connecting; exactly one of the two is called, on the library's thread (or at once on failure). */
    void connect(Consumer<Connected> connected, Consumer<Throwable> failed);

    /**
     * Publishes; {@code done} gets {@code null} on the broker's acknowledgement (QoS 0: once written), or the
     * reason it failed ({@link com.oviron.callidus.cloud.PublishRefusedException} for a refusal), on the library's
     * thread. May call {@code done} at once, on the caller's thread (a full in-flight window, not connected).
     */
    void publish(String topic, byte[] payload, int qos, boolean retained, MessageProperties properties,
                 Consumer<Throwable> done);

    /** Subscribes; {@code done} gets {@code null} when granted, or what went wrong, on the library's thread. */
    void subscribe(String filter, int qos, Consumer<Throwable> done);

    /** Publishes and waits at most {@code timeoutMillis} for the acknowledgement (closing: the offline status). */
    void publishAndWait(String topic, byte[] payload, int qos, boolean retained, long timeoutMillis) throws Exception;

    /** Sends DISCONNECT and waits at most {@code timeoutMillis}: the broker keeps a persistent session. */
    void disconnect(long timeoutMillis) throws Exception;

    /** Ends the client at once and frees its threads; never throws. */
    void close();

    /** {@code 3.1.1} or {@code 5}. */
    String protocolName();
}
