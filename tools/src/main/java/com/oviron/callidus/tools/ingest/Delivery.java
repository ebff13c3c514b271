package com.oviron.callidus.tools.ingest;

import java.util.Objects;

/**
 * One message from a unit as the source got it.
 *
 * @param topic   the MQTT topic it was published on ({@code callidus/v1/<device>/telemetry} or {@code .../events})
 * @param payload the message body
 * @param ack     tells the broker the message is handled (after it is in the database); a no-op when the
 *                connection it came on is gone (the broker sends it again)
 */
public record Delivery(String topic, byte[] payload, Runnable ack) {
    public Delivery {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(ack, "ack");
    }
}
