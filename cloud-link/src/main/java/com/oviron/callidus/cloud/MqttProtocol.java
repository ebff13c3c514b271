package com.oviron.callidus.cloud;

import java.util.Arrays;
import java.util.Optional;

/**
 * Which MQTT version the unit speaks to a broker (docs/configuration.md, {@code mqtt.protocol}; ADR 0024).
 */
public enum MqttProtocol {
    /**
     * MQTT 5 where the broker supports it: a broker that refuses version 5 (CONNACK "unacceptable protocol
     * version") or closes the connection on the version-5 CONNECT without answering is spoken to in 3.1.1 from
     * then on (remembered per broker URI until the agent restarts).
     */
    AUTO("auto"),
    /** MQTT 5 only. */
    MQTT_5("5"),
    /** MQTT 3.1.1 only. */
    MQTT_3_1_1("3.1.1");

    private final String wire;

    MqttProtocol(String wire) {
        this.wire = wire;
    }

    /** The name in the configuration and in logs: {@code auto}, {@code 5}, {@code 3.1.1}. */
    public String configName() {
        return wire;
    }

    public static Optional<MqttProtocol> fromConfigName(String name) {
        return Arrays.stream(values()).filter(p -> p.wire.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return wire;
    }
}
