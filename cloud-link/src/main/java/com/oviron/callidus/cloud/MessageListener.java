package com.oviron.callidus.cloud;

/**
 * Told about a message that arrived on a subscribed topic. Called on the connection's own thread: an
 * implementation posts to its own executor and returns at once.
 */
@FunctionalInterface
public interface MessageListener {
    void arrived(String topic, byte[] payload);
}
