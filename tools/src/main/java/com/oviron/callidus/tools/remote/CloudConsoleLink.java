package com.oviron.callidus.tools.remote;

import java.io.IOException;
import java.util.function.BiConsumer;

/**
 * What the engineer's side of a remote console needs of MQTT: publish, and be told what arrives on the unit's
 * replies and console output. {@link PahoCloudConsoleLink} in the tool; tests may use the same over a broker.
 */
interface CloudConsoleLink extends AutoCloseable {

    /** Subscribes to the filters; each message goes to {@code listener(topic, payload)} on the client's thread. */
    void subscribe(String[] filters, BiConsumer<String, byte[]> listener) throws IOException;

    /** Publishes with QoS 1 and waits for the broker's acknowledgement. */
    void publish(String topic, byte[] payload) throws IOException;

    @Override
    void close();
}
