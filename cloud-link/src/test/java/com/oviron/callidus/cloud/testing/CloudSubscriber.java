package com.oviron.callidus.cloud.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The cloud side in tests: a Paho client with a persistent session (clean session off, QoS 1), so that what
 * the broker queued for it while it was away arrives when it comes back. Records every message.
 */
public final class CloudSubscriber implements AutoCloseable {
    /** A message as received. */
    public record Received(String topic, byte[] payload, boolean retained) {
    }

    private final MqttClient client;
    private final List<Received> received = new ArrayList<>();
    private final Map<String, byte[]> lastByTopic = new ConcurrentHashMap<>();

    public CloudSubscriber(String brokerUri, String clientId, String... filters) throws MqttException {
        client = new MqttClient(brokerUri, clientId, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(false);
        options.setAutomaticReconnect(true);
        options.setMaxReconnectDelay(500);
        options.setConnectionTimeout(30); // seconds: a loaded build machine can be slow to answer CONNECT
        client.setCallback(new MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                synchronized (received) {
                    received.add(new Received(topic, message.getPayload(), message.isRetained()));
                }
                lastByTopic.put(topic, message.getPayload());
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        client.connect(options);
        int[] qos = new int[filters.length];
        java.util.Arrays.fill(qos, 1);
        client.subscribe(filters, qos);
    }

    /** Publishes with QoS 1 and waits for the broker's acknowledgement (the cloud sending a command). */
    public void publish(String topic, String payload) throws MqttException {
        client.publish(topic, payload.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, false);
    }

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    public List<Received> receivedOn(String topic) {
        return received().stream().filter(r -> r.topic().equals(topic)).toList();
    }

    public byte[] last(String topic) {
        return lastByTopic.get(topic);
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    /**
     * Disconnects and closes. A client that is reconnecting (its broker was stopped by the test) refuses to close
     * while its connect is in progress: it is cut and closing is tried again, for up to 10 s.
     */
    @Override
    public void close() throws MqttException {
        try {
            if (client.isConnected()) {
                client.disconnect(1_000);
            }
        } catch (MqttException e) {
            // the broker may be gone: closing below is what matters
        }
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                client.close(true);
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttException.REASON_CODE_CONNECT_IN_PROGRESS || System.nanoTime() > until) {
                    throw e;
                }
                try {
                    client.disconnectForcibly(0, 100);
                } catch (MqttException ignored) {
                    // not connected: the connect attempt is what is ending
                }
                try {
                    Thread.sleep(50); // waiting for Paho's connect attempt to end, as Await polls
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
