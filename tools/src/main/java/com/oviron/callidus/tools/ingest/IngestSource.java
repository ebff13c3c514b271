package com.oviron.callidus.tools.ingest;

/**
 * Where the units' telemetry and events come from: the broker's competing consumers (RabbitMQ: one durable
 * queue on {@code amq.topic} that every ingest instance consumes from, {@code ingest.amqp}) or an MQTT shared
 * subscription ({@code $share/<group>/...} on a broker that has it, {@code ingest.paho}). Several instances
 * share the load either way; each message goes to one of them and stays at the broker until that one
 * acknowledges it.
 */
public interface IngestSource extends AutoCloseable {

    /**
     * Connects and starts handing messages to {@code sink}, on the source's own thread; {@code sink} must
     * return quickly (it queues). Reconnects by itself; messages not acknowledged before a connection is lost
     * come again.
     */
    void start(Sink sink) throws java.io.IOException;

    /** Where a source hands its messages. */
    @FunctionalInterface
    interface Sink {
        void accept(Delivery delivery);
    }

    /** Stops consuming and disconnects; unacknowledged messages go back to the broker. */
    @Override
    void close();

    /** What the source is connected to, for the log (never a password). */
    String describe();
}
