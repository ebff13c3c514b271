package com.oviron.callidus.cloud;

/**
 * Told about a message that arrived on a subscribed topic. Called on the connection's own thread: an
 * implementation posts to its own executor and returns at once.
 */
@FunctionalInterface
public interface MessageListener {
    void arrived(String topic, byte[] payload);

    /**
     * A message with its MQTT 5 properties ({@link MessageProperties#NONE} under MQTT 3.1.1). By default the
     * properties are not looked at: {@link #arrived(String, byte[])} is called.
     */
    default void arrived(String topic, byte[] payload, MessageProperties properties) {
        arrived(topic, payload);
    }

    /**
     * A message on a subscribed topic was larger than the unit reads ({@link LinkSettings#maxIncomingPayload}):
     * it was dropped unread (and acknowledged, so the broker does not send it again). Its payload is unknown.
     * Called on the connection's own thread, like {@link #arrived}.
     *
     * @param payloadBytes the size of the payload the broker announced
     */
    default void tooLarge(String topic, long payloadBytes) {
        // most subscribers have nothing to answer; the connection has logged and counted it
    }
}
