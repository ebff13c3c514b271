package com.oviron.callidus.tools.ingest.amqp;

import com.oviron.callidus.tools.ingest.Delivery;
import com.oviron.callidus.tools.ingest.IngestSource;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.tinylog.Logger;

/**
 * Competing consumers on RabbitMQ over AMQP 0-9-1: RabbitMQ's MQTT plugin routes every MQTT publish to the
 * {@code amq.topic} exchange with the topic's {@code /} turned into {@code .}
 * ({@code callidus/v1/CAL-1/telemetry} → routing key {@code callidus.v1.CAL-1.telemetry}). One durable
 * <b>quorum queue</b> (replicated on every node, so it outlives the node it lives on) is bound to the
 * telemetry and events of every unit; every ingest instance consumes from it, and the broker gives each
 * message to one of them (RabbitMQ 3.10 has no MQTT shared subscriptions). The queue must exist before the
 * units send: a publish that matches no queue is dropped by the broker (and still acknowledged to the unit);
 * {@link #start} declares it.
 *
 * <p>Manual acknowledgements, after the database commit; at most {@code prefetch} unacknowledged messages per
 * instance. The client reconnects by itself (to the next address when a node is gone) and consumes again;
 * an acknowledgement of a message from before the reconnect is dropped by the client, and the broker sends that
 * message again (a duplicate the database skips).
 */
public final class AmqpIngestSource implements IngestSource {
    /** The queue every ingest instance consumes from. */
    public static final String DEFAULT_QUEUE = "callidus.ingest";
    /** What the queue gets: every unit's telemetry and events. */
    public static final List<String> ROUTING_KEYS = List.of("callidus.v1.*.telemetry", "callidus.v1.*.events");

    private final List<Address> addresses;
    private final String user;
    private final String password;
    private final String vhost;
    private final String queue;
    private final int prefetch;
    private Connection connection;
    private Channel channel;

    /**
     * @param addresses the cluster's nodes ({@code host:port}), tried in turn
     * @param password  never logged
     */
    public AmqpIngestSource(List<Address> addresses, String user, String password, String vhost, String queue,
                            int prefetch) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("at least one broker address is needed");
        }
        this.addresses = List.copyOf(addresses);
        this.user = user;
        this.password = password;
        this.vhost = vhost;
        this.queue = queue;
        this.prefetch = prefetch;
    }

    @Override
    public void start(Sink sink) throws IOException {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUsername(user);
        factory.setPassword(password);
        factory.setVirtualHost(vhost);
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(1000);
        factory.setRequestedHeartbeat(10);
        factory.setConnectionTimeout(10_000);
        try {
            connection = factory.newConnection(addresses, "callidus-ingest");
        } catch (TimeoutException e) {
            throw new IOException("no AMQP connection to " + describe() + ": " + e.getMessage(), e);
        }
        channel = connection.createChannel();
        declareQueue(channel, queue);
        channel.basicQos(prefetch);
        Channel ch = channel;
        channel.basicConsume(queue, false, (tag, message) -> {
            long deliveryTag = message.getEnvelope().getDeliveryTag();
            String topic = message.getEnvelope().getRoutingKey().replace('.', '/');
            sink.accept(new Delivery(topic, message.getBody(), () -> ack(ch, deliveryTag)));
        }, tag -> Logger.warn("ingest consumer cancelled by the broker queue={}", queue));
        Logger.info("ingest consuming queue={} broker={} prefetch={}", queue, describe(), prefetch);
    }

    /** Declares the durable quorum queue and binds it to every unit's telemetry and events (idempotent). */
    public static void declareQueue(Channel channel, String queue) throws IOException {
        channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
        for (String key : ROUTING_KEYS) {
            channel.queueBind(queue, "amq.topic", key);
        }
    }

    private static void ack(Channel channel, long deliveryTag) {
        try {
            channel.basicAck(deliveryTag, false);
        } catch (IOException | AlreadyClosedException e) {
            // the connection it came on is gone: the broker sends it again
            Logger.debug("ack not sent error={}", e.getMessage());
        }
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close(5_000);
            } catch (IOException | AlreadyClosedException e) {
                Logger.debug("ingest AMQP close error={}", e.getMessage());
            }
        }
    }

    @Override
    public String describe() {
        return "amqp://" + addresses.stream().map(Address::toString).reduce((a, b) -> a + "," + b).orElse("")
                + " vhost=" + vhost + " user=" + user;
    }
}
