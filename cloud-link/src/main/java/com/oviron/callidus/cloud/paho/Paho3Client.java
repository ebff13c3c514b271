package com.oviron.callidus.cloud.paho;

import com.oviron.callidus.cloud.LinkBusyException;
import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.MessageProperties;
import com.oviron.callidus.cloud.NotConnectedException;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.tinylog.Logger;

/**
 * One MQTT 3.1.1 session on Eclipse Paho's v3 async client: clean session as configured, Paho's automatic
 * reconnect off (the connection reconnects, ADR 0002), messages in memory only (the outbox is the durable copy).
 * 3.1.1 has no properties: those of a publish are not sent, and arrived messages have none.
 */
final class Paho3Client implements ProtocolClient {
    /** Paho's own connect bound (TCP connect, TLS handshake) is a backstop behind the watchdog. */
    static final int PAHO_TIMEOUT_MARGIN_S = 2;

    private final LinkSettings settings;
    private final Attempt attempt;
    private final MqttAsyncClient client;

    Paho3Client(LinkSettings settings, Attempt attempt, Events events) {
        this.settings = settings;
        this.attempt = attempt;
        try {
            this.client = new MqttAsyncClient(attempt.uri(), settings.clientId(), new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalArgumentException("cannot create MQTT client for " + attempt.uri() + ": "
                    + e.getMessage(), e);
        }
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                events.lost(PendingPublishes.Loss.dropped(describe(cause)));
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                events.arrived(topic, message.getPayload(), MessageProperties.NONE);
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // completion is handled per publish through its action listener
            }
        });
    }

    @Override
    public void connect(Consumer<Connected> connected, Consumer<Throwable> failed) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(!settings.persistentSession());
        options.setAutomaticReconnect(false);
        options.setKeepAliveInterval((int) settings.keepAlive().toSeconds());
        options.setConnectionTimeout((int) Math.max(1, settings.connectTimeout().toSeconds()) + PAHO_TIMEOUT_MARGIN_S);
        options.setMaxInflight(settings.maxInflight());
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setSocketFactory(attempt.sockets());
        if (settings.tls().isPresent()) {
            options.setHttpsHostnameVerificationEnabled(settings.tls().get().hostnameVerification());
        }
        settings.username().ifPresent(options::setUserName);
        settings.password().ifPresent(p -> options.setPassword(p.toCharArray()));
        options.setWill(attempt.willTopic(), attempt.willPayload(), 1, true);
        try {
            client.connect(options, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    connected.accept(new Connected(token.getSessionPresent(), java.util.Optional.empty(),
                            java.util.OptionalLong.empty(), java.util.Optional.empty()));
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    failed.accept(cause);
                }
            });
        } catch (MqttException | RuntimeException e) {
            failed.accept(e);
        }
    }

    @Override
    public void publish(String topic, byte[] payload, int qos, boolean retained, MessageProperties properties,
                        Consumer<Throwable> done) {
        try {
            client.publish(topic, payload, qos, retained, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    done.accept(null);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    done.accept(cause instanceof MqttException m ? translate(m) : cause);
                }
            });
        } catch (MqttException e) {
            done.accept(translate(e));
        } catch (RuntimeException e) {
            done.accept(e);
        }
    }

    private Throwable translate(MqttException e) {
        return switch (e.getReasonCode()) {
            case MqttException.REASON_CODE_MAX_INFLIGHT -> new LinkBusyException("the MQTT client's in-flight window"
                    + " (mqtt.maxInflight " + settings.maxInflight() + ") is full");
            case MqttException.REASON_CODE_CLIENT_NOT_CONNECTED, MqttException.REASON_CODE_CONNECTION_LOST,
                 MqttException.REASON_CODE_CLIENT_DISCONNECTING, MqttException.REASON_CODE_CLIENT_CLOSED ->
                    new NotConnectedException("not connected to " + attempt.uri() + ": " + e.getMessage());
            default -> e;
        };
    }

    @Override
    public void subscribe(String filter, int qos, Consumer<Throwable> done) {
        try {
            client.subscribe(filter, qos, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int[] granted = token.getGrantedQos();
                    done.accept(granted != null && granted.length > 0 && granted[0] == 0x80
                            ? new IllegalStateException("the broker refused the subscription (SUBACK 0x80)") : null);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    done.accept(cause);
                }
            });
        } catch (MqttException | RuntimeException e) {
            done.accept(e);
        }
    }

    @Override
    public void publishAndWait(String topic, byte[] payload, int qos, boolean retained, long timeoutMillis)
            throws MqttException {
        client.publish(topic, payload, qos, retained).waitForCompletion(timeoutMillis);
    }

    @Override
    public void disconnect(long timeoutMillis) throws MqttException {
        client.disconnect(timeoutMillis).waitForCompletion(timeoutMillis + 500);
    }

    @Override
    public void close() {
        try {
            client.disconnectForcibly(0, 100, false);
        } catch (MqttException | RuntimeException e) {
            Logger.trace("mqtt forced disconnect error={}", describe(e));
        }
        try {
            client.close(true);
        } catch (MqttException | RuntimeException e) {
            Logger.debug("mqtt client close error={}", describe(e));
        }
    }

    @Override
    public String protocolName() {
        return "3.1.1";
    }

    static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown";
        }
        if (cause instanceof MqttException m && m.getCause() != null) {
            return m.getMessage() + " (" + m.getCause().getMessage() + ")";
        }
        return String.valueOf(cause.getMessage());
    }
}
