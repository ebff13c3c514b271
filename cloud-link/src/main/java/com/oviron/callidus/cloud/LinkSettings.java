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
 */
public record LinkSettings(String brokerUri, String clientId, Duration keepAlive, Duration connectTimeout,
                           Backoff backoff, Optional<String> username, Optional<String> password, int maxInflight,
                           Optional<TlsSettings> tls, boolean persistentSession) {

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
                maxInflight, tls, persistent);
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
    }

    @Override
    public String toString() {
        return "LinkSettings[brokerUri=" + brokerUri + ", clientId=" + clientId + ", keepAlive=" + keepAlive
                + ", connectTimeout=" + connectTimeout + ", backoff=" + backoff + ", username=" + username
                + ", password=" + (password.isPresent() ? "***" : "none") + ", maxInflight=" + maxInflight + ", tls=" + tls
                + "]";
    }
}
