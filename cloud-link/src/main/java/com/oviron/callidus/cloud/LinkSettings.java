package com.oviron.callidus.cloud;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach the broker. See docs/configuration.md, section {@code mqtt}.
 *
 * @param brokerUris     the brokers, {@code ssl://host:port} or {@code tcp://host:port}: the unit starts with the
 *                       first and moves on to the next when a session is lost or a connect fails (ADR 0024)
 * @param clientId       MQTT client id; the unit's device id
 * @param keepAlive      MQTT keep-alive interval
 * @param connectTimeout how long one connect attempt may take
 * @param backoff        waits between connect attempts
 * @param username       optional user name
 * @param password       optional password (never logged)
 * @param maxInflight    most QoS 1 publishes awaiting PUBACK at once
 * @param tls            mutual TLS, required for (and only for) {@code ssl://} brokers
 * @param persistentSession the broker keeps the unit's subscriptions and queues QoS 1 messages for it (commands)
 *                       while it is away (MQTT 3.1.1: clean session off; MQTT 5: clean start off and a session
 *                       expiry interval of {@code sessionExpiry})
 * @param maxIncomingPayload largest payload of a message from the broker that is read; a larger one is dropped
 *                       unread and reported (docs/protocol.md, "Incoming size limit")
 * @param protocol       MQTT 5, 3.1.1, or 5 where the broker supports it
 * @param sessionExpiry  MQTT 5: how long the broker keeps a persistent session after the unit went away
 */
public record LinkSettings(List<String> brokerUris, String clientId, Duration keepAlive, Duration connectTimeout,
                           Backoff backoff, Optional<String> username, Optional<String> password, int maxInflight,
                           Optional<TlsSettings> tls, boolean persistentSession, int maxIncomingPayload,
                           MqttProtocol protocol, Duration sessionExpiry) {

    /**
     * The largest message the protocol sends to the unit: a command (128 KiB); a file chunk frame is at most
     * 100 KiB + 84 bytes, a subscription token message about 4 KiB.
     */
    public static final int DEFAULT_MAX_INCOMING_PAYLOAD = 128 * 1024;

    /**
     * A week: a command is valid for at most 7 days, so nothing the broker would still hold for a unit that stayed
     * away longer could be carried out.
     */
    public static final Duration DEFAULT_SESSION_EXPIRY = Duration.ofDays(7);

    /** MQTT 5's largest session expiry interval that still expires (0xFFFFFFFF means never). */
    public static final Duration MAX_SESSION_EXPIRY = Duration.ofSeconds(0xFFFF_FFFEL);

    /** One broker, MQTT 5 where the broker supports it, a week of session expiry. */
    public LinkSettings(String brokerUri, String clientId, Duration keepAlive, Duration connectTimeout,
                        Backoff backoff, Optional<String> username, Optional<String> password, int maxInflight,
                        Optional<TlsSettings> tls, boolean persistentSession, int maxIncomingPayload) {
        this(List.of(brokerUri), clientId, keepAlive, connectTimeout, backoff, username, password, maxInflight, tls,
                persistentSession, maxIncomingPayload, MqttProtocol.AUTO, DEFAULT_SESSION_EXPIRY);
    }

    /** With the default bound on incoming messages. */
    public LinkSettings(String brokerUri, String clientId, Duration keepAlive, Duration connectTimeout,
                        Backoff backoff, Optional<String> username, Optional<String> password, int maxInflight,
                        Optional<TlsSettings> tls, boolean persistentSession) {
        this(brokerUri, clientId, keepAlive, connectTimeout, backoff, username, password, maxInflight, tls,
                persistentSession, DEFAULT_MAX_INCOMING_PAYLOAD);
    }

    /** Plain TCP (development and tests), clean session. */
    public LinkSettings(String brokerUri, String clientId, Duration keepAlive, Duration connectTimeout,
                        Backoff backoff, Optional<String> username, Optional<String> password, int maxInflight) {
        this(brokerUri, clientId, keepAlive, connectTimeout, backoff, username, password, maxInflight,
                Optional.empty(), false);
    }

    /** Clean session. */
    public LinkSettings(String brokerUri, String clientId, Duration keepAlive, Duration connectTimeout,
                        Backoff backoff, Optional<String> username, Optional<String> password, int maxInflight,
                        Optional<TlsSettings> tls) {
        this(brokerUri, clientId, keepAlive, connectTimeout, backoff, username, password, maxInflight, tls, false);
    }

    /** The same settings with a persistent (or clean) session. */
    public LinkSettings withPersistentSession(boolean persistent) {
        return new LinkSettings(brokerUris, clientId, keepAlive, connectTimeout, backoff, username, password,
                maxInflight, tls, persistent, maxIncomingPayload, protocol, sessionExpiry);
    }

    /** The same settings with another bound on incoming messages. */
    public LinkSettings withMaxIncomingPayload(int bytes) {
        return new LinkSettings(brokerUris, clientId, keepAlive, connectTimeout, backoff, username, password,
                maxInflight, tls, persistentSession, bytes, protocol, sessionExpiry);
    }

    /** The same settings speaking another MQTT version. */
    public LinkSettings withProtocol(MqttProtocol other) {
        return new LinkSettings(brokerUris, clientId, keepAlive, connectTimeout, backoff, username, password,
                maxInflight, tls, persistentSession, maxIncomingPayload, other, sessionExpiry);
    }

    /** The same settings with another MQTT 5 session expiry interval. */
    public LinkSettings withSessionExpiry(Duration expiry) {
        return new LinkSettings(brokerUris, clientId, keepAlive, connectTimeout, backoff, username, password,
                maxInflight, tls, persistentSession, maxIncomingPayload, protocol, expiry);
    }

    /** The same settings with another list of brokers. */
    public LinkSettings withBrokers(List<String> uris) {
        return new LinkSettings(uris, clientId, keepAlive, connectTimeout, backoff, username, password,
                maxInflight, tls, persistentSession, maxIncomingPayload, protocol, sessionExpiry);
    }

    /** The first broker of the list (the only one, in most configurations). */
    public String brokerUri() {
        return brokerUris.get(0);
    }

    public LinkSettings {
        Objects.requireNonNull(brokerUris, "brokerUris");
        brokerUris = List.copyOf(brokerUris);
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(sessionExpiry, "sessionExpiry");
        if (brokerUris.isEmpty()) {
            throw new IllegalArgumentException("at least one broker URI is needed");
        }
        if (new HashSet<>(brokerUris).size() != brokerUris.size()) {
            throw new IllegalArgumentException("a broker is listed twice: " + brokerUris);
        }
        for (String uri : brokerUris) {
            if (uri.startsWith("ssl://") != tls.isPresent()) {
                throw new IllegalArgumentException("an ssl:// broker needs TLS settings, and TLS settings ssl:// "
                        + "brokers only; got " + uri);
            }
        }
        if (maxInflight < 1) {
            throw new IllegalArgumentException("maxInflight must be at least 1, got " + maxInflight);
        }
        if (maxIncomingPayload < 1024) {
            throw new IllegalArgumentException("maxIncomingPayload must be at least 1024, got " + maxIncomingPayload);
        }
        if (sessionExpiry.isNegative() || sessionExpiry.compareTo(MAX_SESSION_EXPIRY) > 0) {
            throw new IllegalArgumentException("sessionExpiry must be 0 to " + MAX_SESSION_EXPIRY.toSeconds()
                    + " s, got " + sessionExpiry);
        }
    }

    @Override
    public String toString() {
        return "LinkSettings[brokerUris=" + brokerUris + ", clientId=" + clientId + ", keepAlive=" + keepAlive
                + ", connectTimeout=" + connectTimeout + ", backoff=" + backoff + ", username=" + username
                + ", password=" + (password.isPresent() ? "***" : "none") + ", maxInflight=" + maxInflight + ", tls=" + tls
                + ", persistentSession=" + persistentSession + ", maxIncomingPayload=" + maxIncomingPayload
                + ", protocol=" + protocol + ", sessionExpiry=" + sessionExpiry + "]";
    }
}
