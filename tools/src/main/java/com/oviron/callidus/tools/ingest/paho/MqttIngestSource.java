package com.oviron.callidus.tools.ingest.paho;

import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.tools.ingest.Delivery;
import com.oviron.callidus.tools.ingest.IngestSource;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.tinylog.Logger;

/**
 * The units' telemetry and events over MQTT (Paho v3), for brokers with shared subscriptions: with a group,
 * the filters are {@code $share/<group>/callidus/v1/+/telemetry} and {@code .../events}, and the broker gives
 * each message to one member of the group (HiveMQ, mosquitto 2, EMQX; RabbitMQ 3.10 has none: use
 * {@code ingest.amqp} there). Without a group it subscribes plainly: one instance only.
 *
 * <p>A persistent session (clean session off, QoS 1), so that what arrives while the ingest restarts waits at
 * the broker; manual acknowledgements: the PUBACK goes out after the database commit.
 */
public final class MqttIngestSource implements IngestSource {
    private final String brokerUri;
    private final String clientId;
    private final Optional<String> shareGroup;
    /** Counted down when the broker has answered the first subscription. */
    private final CountDownLatch subscribed = new CountDownLatch(1);
    private final Optional<String> user;
    private final Optional<String> password;
    private MqttAsyncClient client;

    /** @param password never logged */
    public MqttIngestSource(String brokerUri, String clientId, Optional<String> shareGroup, Optional<String> user,
                            Optional<String> password) {
        this.brokerUri = brokerUri;
        this.clientId = clientId;
        this.shareGroup = shareGroup;
        this.user = user;
        this.password = password;
    }

    /** The filters subscribed to. */
    public String[] filters() {
        String prefix = shareGroup.map(g -> "$share/" + g + "/").orElse("");
        return new String[] {prefix + Topics.allTelemetry(), prefix + Topics.allEvents()};
    }

    @Override
    public void start(Sink sink) throws IOException {
        try {
            client = new MqttAsyncClient(brokerUri, clientId, new MemoryPersistence());
            client.setManualAcks(true);
            MqttConnectOptions options = new MqttConnectOptions();
            options.setCleanSession(false);
            options.setAutomaticReconnect(true);
            options.setMaxReconnectDelay(5_000);
            options.setKeepAliveInterval(30);
            options.setMaxInflight(1000);
            user.ifPresent(options::setUserName);
            password.ifPresent(p -> options.setPassword(p.toCharArray()));
            client.setCallback(new MqttCallbackExtended() {
                @Override
                public void connectComplete(boolean reconnect, String serverURI) {
                    subscribe();
                }

                @Override
                public void connectionLost(Throwable cause) {
                    Logger.warn("ingest MQTT connection lost broker={} error={}", brokerUri, cause == null ? "?"
                            : cause.getMessage());
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    int id = message.getId();
                    int qos = message.getQos();
                    sink.accept(new Delivery(topic, message.getPayload(), () -> ack(id, qos)));
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                    // the ingest publishes nothing
                }
            });
            client.connect(options).waitForCompletion(30_000);
            // "subscribed" only once the broker has answered: a shared-subscription group member that says so
            // earlier misses what the broker hands out meanwhile to the members already there
            if (!subscribed.await(30, TimeUnit.SECONDS)) {
                throw new IOException("the broker " + brokerUri + " did not answer the subscription to "
                        + String.join(",", filters()) + " within 30 s");
            }
        } catch (MqttException e) {
            throw new IOException("no MQTT connection to " + brokerUri + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while subscribing at " + brokerUri, e);
        }
        Logger.info("ingest subscribed broker={} filters={}", brokerUri, String.join(",", filters()));
    }

    private void subscribe() {
        try {
            String[] f = filters();
            client.subscribe(f, new int[] {1, 1}, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    subscribed.countDown();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    Logger.error("ingest subscribe refused broker={} error={}", brokerUri, e == null ? "?"
                            : e.getMessage());
                }
            });
        } catch (MqttException e) {
            Logger.error("ingest subscribe failed broker={} error={}", brokerUri, e.getMessage());
        }
    }

    private void ack(int id, int qos) {
        try {
            client.messageArrivedComplete(id, qos);
        } catch (MqttException e) {
            Logger.debug("ack not sent error={}", e.getMessage()); // the broker sends it again
        }
    }

    @Override
    public void close() {
        if (client == null) {
            return;
        }
        try {
            if (client.isConnected()) {
                client.disconnect(2_000).waitForCompletion(3_000);
            }
            client.close(true);
        } catch (MqttException e) {
            Logger.debug("ingest MQTT close error={}", e.getMessage());
        }
    }

    @Override
    public String describe() {
        return brokerUri + shareGroup.map(g -> " shared subscription group=" + g).orElse("");
    }
}
