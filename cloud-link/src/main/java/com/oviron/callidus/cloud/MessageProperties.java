package com.oviron.callidus.cloud;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The MQTT 5 properties of a message that the unit reads or sets (docs/protocol.md, "MQTT 5"). Under MQTT 3.1.1
 * a message has none: what arrives carries {@link #NONE}, and what the unit sets is not sent.
 *
 * @param responseTopic  where the sender wants the answer (a command's reply)
 * @param correlationData bytes the sender wants back with the answer
 * @param messageExpiry  how long the message still lives: as the broker forwarded it (what is left of the
 *                       sender's interval), or as the unit sets it on a publish
 */
public record MessageProperties(Optional<String> responseTopic, Optional<byte[]> correlationData,
                                Optional<Duration> messageExpiry) {
    /** No properties. */
    public static final MessageProperties NONE = new MessageProperties(Optional.empty(), Optional.empty(),
            Optional.empty());

    /** MQTT's bound on a string or binary property. */
    public static final int MAX_PROPERTY_BYTES = 65_535;

    public MessageProperties {
        Objects.requireNonNull(responseTopic, "responseTopic");
        Objects.requireNonNull(correlationData, "correlationData");
        Objects.requireNonNull(messageExpiry, "messageExpiry");
        if (responseTopic.isPresent()) {
            String t = responseTopic.get();
            if (t.isEmpty() || t.contains("+") || t.contains("#")
                    || t.getBytes(StandardCharsets.UTF_8).length > MAX_PROPERTY_BYTES) {
                throw new IllegalArgumentException("a response topic must be a topic name (no wildcards) of 1 to "
                        + MAX_PROPERTY_BYTES + " bytes");
            }
        }
        if (correlationData.isPresent()) {
            if (correlationData.get().length > MAX_PROPERTY_BYTES) {
                throw new IllegalArgumentException("correlation data must be at most " + MAX_PROPERTY_BYTES + " bytes");
            }
            correlationData = Optional.of(correlationData.get().clone());
        }
        if (messageExpiry.isPresent() && (messageExpiry.get().isNegative()
                || messageExpiry.get().toSeconds() > 0xFFFF_FFFFL)) {
            throw new IllegalArgumentException("a message expiry must be 0 to 4294967295 s, got " + messageExpiry.get());
        }
    }

    /** Only correlation data (a reply's). */
    public static MessageProperties correlation(byte[] data) {
        return new MessageProperties(Optional.empty(), Optional.of(data), Optional.empty());
    }

    /** The correlation data, a copy. */
    @Override
    public Optional<byte[]> correlationData() {
        return correlationData.map(byte[]::clone);
    }

    public boolean isEmpty() {
        return responseTopic.isEmpty() && correlationData.isEmpty() && messageExpiry.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageProperties p && responseTopic.equals(p.responseTopic)
                && messageExpiry.equals(p.messageExpiry)
                && correlationData.isPresent() == p.correlationData.isPresent()
                && (correlationData.isEmpty() || Arrays.equals(correlationData.get(), p.correlationData.get()));
    }

    @Override
    public int hashCode() {
        return Objects.hash(responseTopic, messageExpiry, correlationData.map(Arrays::hashCode));
    }

    @Override
    public String toString() {
        return "MessageProperties[responseTopic=" + responseTopic + ", correlationData="
                + correlationData.map(d -> d.length + " bytes") + ", messageExpiry=" + messageExpiry + "]";
    }
}
