package com.oviron.callidus.cloud;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach the broker. See docs/configuration.md, section {@code mqtt}.
 *
 * @param brokerUri      {@code tcp://host:port} (TLS arrives with the secure session)
 * @param clientId       MQTT client id; the unit's device id
 * @param keepAlive      MQTT keep-alive interval
 * @param connectTimeout how long one connect attempt may take
 * @param backoff        waits between connect attempts
 * @param username       optional user name
 * @param password       optional password (never logged)
 * @param maxInflight    most QoS 1 publishes awaiting PUBACK at once
 * @param tls            mutual TLS, required for (and only for) an {@code ssl://} broker
 * @param persistentSession clean session off: the broker keeps the unit's subscriptions and queues QoS 1
 *                       messages for it (commands) while it is away
 * @param maxIncomingPayload largest payload of a message from the broker that is read; a larger one is dropped
 *                       unread and reported (docs/protocol.md, "Incoming size limit")
 */
public record LinkSettings(String brokerUri, String clientId, Duration keepAlive, Duration connectTimeout,
                           Backoff backoff, Optional<String> username, Optional<String> password, int maxInflight,
                           Optional<TlsSettings> tls, boolean persistentSession, int maxIncomingPayload) {

    /**
     * The largest message the protocol sends to the unit: a command (128 KiB); a file chunk frame is at most
     * 100 KiB + 84 bytes, a subscription token message about 4 KiB.
     */
    public static final int DEFAULT_MAX_INCOMING_PAYLOAD = 128 * 1024;

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
        return new LinkSettings(brokerUri, clientId, keepAlive, connectTimeout, backoff, username, password,
                maxInflight, tls, persistent, maxIncomingPayload);
    }

    /** The same settings with another bound on incoming messages. */
    public LinkSettings withMaxIncomingPayload(int bytes) {
        return new LinkSettings(brokerUri, clientId, keepAlive, connectTimeout, backoff, username, password,
                maxInflight, tls, persistentSession, bytes);
    }

    public LinkSettings {
        Objects.requireNonNull(brokerUri, "brokerUri");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(tls, "tls");
        if (brokerUri.startsWith("ssl://") != tls.isPresent()) {
            throw new IllegalArgumentException("an ssl:// broker needs TLS settings, and TLS settings an ssl:// broker");
        }
        if (maxInflight < 1) {
            throw new IllegalArgumentException("maxInflight must be at least 1, got " + maxInflight);
        }
        if (maxIncomingPayload < 1024) {
            throw new IllegalArgumentException("maxIncomingPayload must be at least 1024, got " + maxIncomingPayload);
        }
    }

    @Override
    public String toString() {
        return "LinkSettings[brokerUri=" + brokerUri + ", clientId=" + clientId + ", keepAlive=" + keepAlive
                + ", connectTimeout=" + connectTimeout + ", backoff=" + backoff + ", username=" + username
                + ", password=" + (password.isPresent() ? "***" : "none") + ", maxInflight=" + maxInflight + ", tls=" + tls
                + ", persistentSession=" + persistentSession + ", maxIncomingPayload=" + maxIncomingPayload + "]";
    }
}
