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
 */
public record LinkSettings(String brokerUri, String clientId, Duration keepAlive, Duration connectTimeout,
                           Backoff backoff, Optional<String> username, Optional<String> password, int maxInflight) {
    public LinkSettings {
        Objects.requireNonNull(brokerUri, "brokerUri");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (maxInflight < 1) {
            throw new IllegalArgumentException("maxInflight must be at least 1, got " + maxInflight);
        }
    }

    @Override
    public String toString() {
        return "LinkSettings[brokerUri=" + brokerUri + ", clientId=" + clientId + ", keepAlive=" + keepAlive
                + ", connectTimeout=" + connectTimeout + ", backoff=" + backoff + ", username=" + username
                + ", password=" + (password.isPresent() ? "***" : "none") + ", maxInflight=" + maxInflight + "]";
    }
}
