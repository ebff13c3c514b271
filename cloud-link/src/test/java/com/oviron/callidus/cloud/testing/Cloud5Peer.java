package com.oviron.callidus.cloud.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * The cloud side in MQTT 5 tests: a Paho MQTT 5 client (QoS 1) that publishes with properties (message expiry,
 * response topic, correlation data) and records what arrives with the properties it had.
 */
public final class Cloud5Peer implements AutoCloseable {
    /** A message as received. */
    public record Received(String topic, byte[] payload, Optional<byte[]> correlationData,
                           Optional<String> responseTopic) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final MqttAsyncClient client;
    private final List<Received> received = new ArrayList<>();

    public Cloud5Peer(String brokerUri, String clientId, String... filters) throws MqttException {
        client = new MqttAsyncClient(brokerUri, clientId, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setConnectionTimeout(10);
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                MqttProperties p = message.getProperties();
                synchronized (received) {
                    received.add(new Received(topic, message.getPayload(),
                            Optional.ofNullable(p == null ? null : p.getCorrelationData()),
                            Optional.ofNullable(p == null ? null : p.getResponseTopic())));
                }
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverUri) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        client.connect(options).waitForCompletion(10_000);
        for (String filter : filters) {
            client.subscribe(filter, 1).waitForCompletion(10_000);
        }
    }

    /** Publishes with QoS 1 and waits for the broker's PUBACK; returns its reason code. */
    public int publish(String topic, String payload, Long expirySeconds, String responseTopic, byte[] correlation)
            throws MqttException {
        MqttProperties p = new MqttProperties();
        if (expirySeconds != null) {
            p.setMessageExpiryInterval(expirySeconds);
        }
        if (responseTopic != null) {
            p.setResponseTopic(responseTopic);
        }
        if (correlation != null) {
            p.setCorrelationData(correlation);
        }
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8), 1, false, p);
        IMqttToken token = client.publish(topic, m, null, null);
        token.waitForCompletion(10_000);
        int[] codes = token.getReasonCodes();
        return codes == null || codes.length == 0 ? 0 : codes[0];
    }

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    public List<Received> receivedOn(String topic) {
        return received().stream().filter(r -> r.topic().equals(topic)).toList();
    }

    @Override
    public void close() throws MqttException {
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(2_000);
            }
        } finally {
            client.close(true);
        }
    }
}
