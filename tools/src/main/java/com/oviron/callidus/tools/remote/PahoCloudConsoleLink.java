package com.oviron.callidus.tools.remote;

import com.oviron.callidus.cloud.TlsSettings;
import com.oviron.callidus.cloud.paho.TlsContexts;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The engineer's MQTT session for a remote console: a Paho client with a clean session, TLS with the
 * engineer's own certificate when the broker URI is {@code ssl://} (cloud-link's {@link TlsContexts}).
 */
final class PahoCloudConsoleLink implements CloudConsoleLink {
    private final MqttClient client;
    private volatile BiConsumer<String, byte[]> listener = (t, p) -> { };

    private PahoCloudConsoleLink(MqttClient client) {
        this.client = client;
    }

    static PahoCloudConsoleLink connect(String brokerUri, String clientId, Optional<TlsSettings> tls,
                                        Optional<String> username, Optional<char[]> password) throws IOException {
        try {
            MqttClient client = new MqttClient(brokerUri, clientId, new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            o.setConnectionTimeout(10);
            o.setKeepAliveInterval(30);
            if (tls.isPresent()) {
                o.setSocketFactory(TlsContexts.socketFactory(tls.get()));
                o.setHttpsHostnameVerificationEnabled(tls.get().hostnameVerification());
            }
            username.ifPresent(o::setUserName);
            password.ifPresent(o::setPassword);
            PahoCloudConsoleLink link = new PahoCloudConsoleLink(client);
            client.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    link.listener.accept("", new byte[0]);
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    link.listener.accept(topic, message.getPayload());
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            client.connect(o);
            return link;
        } catch (MqttException | GeneralSecurityException e) {
            throw new IOException("cannot connect to " + brokerUri + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void subscribe(String[] filters, BiConsumer<String, byte[]> listener) throws IOException {
        this.listener = listener;
        int[] qos = new int[filters.length];
        Arrays.fill(qos, 1);
        try {
            client.subscribe(filters, qos);
        } catch (MqttException e) {
            throw new IOException("cannot subscribe: " + e.getMessage(), e);
        }
    }

    @Override
    public void publish(String topic, byte[] payload) throws IOException {
        try {
            client.publish(topic, payload, 1, false);
        } catch (MqttException e) {
            throw new IOException("cannot publish: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(2000);
            }
            client.close();
        } catch (MqttException e) {
            // closing anyway
        }
    }
}
