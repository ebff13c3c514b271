package com.oviron.callidus.cloud;

/**
 * A publish that was not sent because a queue on the unit's side is full (a lane of
 * {@link RateLimitedMqttConnection}, the MQTT client's in-flight window): back-pressure, never a refusal by
 * the broker. The sender tries again later; nothing is dead-lettered for it.
 */
public final class LinkBusyException extends Exception {
    public LinkBusyException(String message) {
        super(message);
    }
}
