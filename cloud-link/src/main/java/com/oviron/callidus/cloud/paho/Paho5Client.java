package com.oviron.callidus.cloud.paho;

import com.oviron.callidus.cloud.LinkBusyException;
import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.MessageProperties;
import com.oviron.callidus.cloud.NotConnectedException;
import com.oviron.callidus.cloud.PublishRefusedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.tinylog.Logger;

/**
 * One MQTT 5 session on Eclipse Paho's mqttv5 async client (docs/protocol.md, "MQTT 5"). Clean start off and a
 * session expiry interval of {@link LinkSettings#sessionExpiry()} for a persistent session (clean start on and 0
 * otherwise); automatic reconnect off; messages in memory only.
 *
 * <ul>
 *   <li>Maximum Packet Size: not set through Paho's options, which 1.2.5 applies to the wrong direction
 *       (paho.mqtt.java#987); {@link MqttOutboundFilter} adds it to the CONNECT on the wire. A publish larger than
 *       the broker's own Maximum Packet Size (from its CONNACK) is refused here, with 0x95, before it is sent.
 *   <li>PUBACK reason codes of 0x80 and above fail the publish with {@link PublishRefusedException}; a DISCONNECT
 *       from the broker carries its reason code to {@link PendingPublishes}.
 *   <li>Topic aliases: the unit's Topic Alias Maximum is 0 (the broker sends whole topics, which the guard reads);
 *       Paho gives outgoing topics aliases when the broker allows them. Such a publish is never sent again on
 *       another connection (paho.mqtt.java#916, #1104): the client lives for one session.
 *   <li>Response topic, correlation data and message expiry are read from arriving messages and set on publishes.
 * </ul>
 */
final class Paho5Client implements ProtocolClient {
    private final LinkSettings settings;
    private final Attempt attempt;
    private final MqttAsyncClient client;
    private volatile long brokerMaximumPacketSize;

    Paho5Client(LinkSettings settings, Attempt attempt, Events events) {
        this.settings = settings;
        this.attempt = attempt;
        try {
            this.client = new MqttAsyncClient(attempt.uri(), settings.clientId(), new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalArgumentException("cannot create MQTT 5 client for " + attempt.uri() + ": "
                    + e.getMessage(), e);
        }
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                if (response.getException() != null) {
                    events.lost(PendingPublishes.Loss.dropped(describe(response.getException())));
                } else {
                    int code = response.getReturnCode();
                    String why = response.getReasonString() == null ? "" : " (" + response.getReasonString() + ")";
                    events.lost(PendingPublishes.Loss.disconnect("the broker disconnected: "
                            + ReasonCodes.describe(code) + why, code));
                }
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
                Logger.debug("mqtt client error error={}", describe(exception));
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                events.arrived(topic, message.getPayload(), properties(message.getProperties()));
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
                // completion is handled per publish through its action listener
            }

            @Override
            public void connectComplete(boolean reconnect, String serverUri) {
                // the connect's action listener reports it
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
                // no enhanced authentication
            }
        });
    }

    /** What the unit reads of an arriving message's properties; one it cannot take is left out. */
    static MessageProperties properties(MqttProperties p) {
        if (p == null) {
            return MessageProperties.NONE;
        }
        Optional<String> responseTopic = Optional.ofNullable(p.getResponseTopic()).filter(t -> !t.isEmpty());
        Optional<byte[]> correlation = Optional.ofNullable(p.getCorrelationData());
        Optional<Duration> expiry = Optional.ofNullable(p.getMessageExpiryInterval()).map(Duration::ofSeconds);
        try {
            return new MessageProperties(responseTopic, correlation, expiry);
        } catch (IllegalArgumentException e) {
            Logger.debug("mqtt message properties ignored error={}", e.getMessage());
            return new MessageProperties(Optional.empty(), correlation, expiry);
        }
    }

    @Override
    public void connect(Consumer<Connected> connected, Consumer<Throwable> failed) {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(!settings.persistentSession());
        options.setSessionExpiryInterval(settings.persistentSession() ? settings.sessionExpiry().toSeconds() : 0L);
        options.setAutomaticReconnect(false);
        options.setKeepAliveInterval((int) settings.keepAlive().toSeconds());
        options.setConnectionTimeout((int) Math.max(1, settings.connectTimeout().toSeconds())
                + Paho3Client.PAHO_TIMEOUT_MARGIN_S);
        options.setSocketFactory(attempt.sockets());
        options.setHttpsHostnameVerificationEnabled(settings.tls().map(t -> t.hostnameVerification()).orElse(false));
        settings.username().ifPresent(options::setUserName);
        settings.password().ifPresent(p -> options.setPassword(p.getBytes(StandardCharsets.UTF_8)));
        options.setWill(attempt.willTopic(), new MqttMessage(attempt.willPayload(), 1, true, new MqttProperties()));
        try {
            client.connect(options, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    MqttProperties p = token.getResponseProperties();
                    Connected c = p == null ? Connected.PLAIN : new Connected(token.getSessionPresent(),
                            Optional.ofNullable(p.getServerKeepAlive()).map(Duration::ofSeconds),
                            p.getMaximumPacketSize() == null ? OptionalLong.empty()
                                    : OptionalLong.of(p.getMaximumPacketSize()),
                            Optional.ofNullable(p.getSessionExpiryInterval()).map(Duration::ofSeconds));
                    brokerMaximumPacketSize = c.maximumPacketSize().orElse(0);
                    connected.accept(c);
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
        long limit = brokerMaximumPacketSize;
        long size = packetSize(topic, payload.length, qos, properties);
        if (limit > 0 && size > limit) {
            done.accept(new PublishRefusedException(0x95, "the publish of " + size + " bytes is larger than the"
                    + " broker's maximum packet size (" + limit + " bytes, from its CONNACK); not sent"));
            return;
        }
        MqttProperties props = new MqttProperties();
        properties.responseTopic().ifPresent(props::setResponseTopic);
        properties.correlationData().ifPresent(props::setCorrelationData);
        properties.messageExpiry().ifPresent(e -> props.setMessageExpiryInterval(e.toSeconds()));
        try {
            client.publish(topic, new MqttMessage(payload, qos, retained, props), null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int code = firstCode(token);
                    done.accept(code >= 0x80 ? new PublishRefusedException(code, "the broker refused the publish: "
                            + ReasonCodes.describe(code) + reasonString(token)) : null);
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

    /**
     * The size of the PUBLISH packet on the wire, at most (a topic alias, if Paho adds one, counts 3 bytes; the
     * topic it replaces is counted whole).
     */
    static long packetSize(String topic, int payloadBytes, int qos, MessageProperties p) {
        long properties = 3; // a topic alias
        properties += p.responseTopic().map(t -> 3L + t.getBytes(StandardCharsets.UTF_8).length).orElse(0L);
        properties += p.correlationData().map(d -> 3L + d.length).orElse(0L);
        properties += p.messageExpiry().isPresent() ? 5 : 0;
        long remaining = 2L + topic.getBytes(StandardCharsets.UTF_8).length + (qos > 0 ? 2 : 0)
                + MqttInboundFilter.encodeVarint(properties).length + properties + payloadBytes;
        return 1 + MqttInboundFilter.encodeVarint(remaining).length + remaining;
    }

    private static int firstCode(IMqttToken token) {
        int[] codes = token.getReasonCodes();
        return codes == null || codes.length == 0 ? 0 : codes[0];
    }

    private static String reasonString(IMqttToken token) {
        MqttProperties p = token.getResponseProperties();
        return p == null || p.getReasonString() == null ? "" : " (" + p.getReasonString() + ")";
    }

    private Throwable translate(MqttException e) {
        return switch (e.getReasonCode()) {
            case MqttClientException.REASON_CODE_MAX_INFLIGHT -> new LinkBusyException("the broker's receive maximum"
                    + " of unacknowledged publishes is reached");
            case MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED, MqttClientException.REASON_CODE_CONNECTION_LOST,
                 MqttClientException.REASON_CODE_CLIENT_DISCONNECTING, MqttClientException.REASON_CODE_CLIENT_CLOSED ->
                    new NotConnectedException("not connected to " + attempt.uri() + ": " + e.getMessage());
            default -> e;
        };
    }

    @Override
    public void subscribe(String filter, int qos, Consumer<Throwable> done) {
        try {
            client.subscribe(filter, qos, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int code = firstCode(token);
                    done.accept(code >= 0x80 ? new IllegalStateException("the broker refused the subscription: "
                            + ReasonCodes.describe(code) + reasonString(token)) : null);
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
        return "5";
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
