package com.oviron.callidus.agent;

import com.oviron.callidus.store.Durability;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The agent's whole configuration, validated. Every key, its default and its allowed values are in
 * docs/configuration.md; {@link AgentConfigLoader} reads it from the JSON file.
 */
public record AgentConfig(Device device, Hal hal, Store store, Mqtt mqtt, Sync sync, Log log, Shutdown shutdown) {

    /** @param id the unit's serial number, also its MQTT client id and topic level */
    public record Device(String id) {
    }

    /**
     * @param source       where readings come from; "simulator" until the Modbus board arrives
     * @param seed         the simulator's random seed
     * @param samplePeriod time between two samples of every channel
     */
    public record Hal(String source, long seed, Duration samplePeriod) {
    }

    /**
     * @param path                 the SQLite file
     * @param durability           what an accepted reading survives
     * @param groupCommitReadings  a write transaction starts as soon as this many readings wait
     * @param groupCommitDelay     longest a reading waits in memory before its transaction starts
     * @param memoryBufferReadings most readings waiting in memory (besides the group being written)
     */
    public record Store(Path path, Durability durability, int groupCommitReadings, Duration groupCommitDelay,
                        int memoryBufferReadings) {
    }

    /**
     * @param brokerUri      tcp://host:port
     * @param keepAlive      MQTT keep-alive
     * @param connectTimeout one connect attempt at most
     * @param reconnectMin   cap of the first reconnect wait
     * @param reconnectMax   largest reconnect wait
     * @param username       optional
     * @param password       optional, never logged
     * @param maxInflight    QoS 1 publishes awaiting PUBACK at most (Paho's window)
     */
    public record Mqtt(String brokerUri, Duration keepAlive, Duration connectTimeout, Duration reconnectMin,
                       Duration reconnectMax, Optional<String> username, Optional<String> password, int maxInflight) {
        @Override
        public String toString() {
            return "Mqtt[brokerUri=" + brokerUri + ", username=" + username + ", password="
                    + (password.isPresent() ? "***" : "none") + "]";
        }
    }

    /**
     * @param batchMaxReadings readings per telemetry message at most
     * @param inFlightWindow   telemetry messages awaiting PUBACK at most
     * @param interval         how often the outbox is checked
     */
    public record Sync(int batchMaxReadings, int inFlightWindow, Duration interval) {
    }

    /** @param level tinylog level: trace, debug, info, warn, error */
    public record Log(String level) {
    }

    /** @param drainTimeout on SIGTERM, how long to keep sending what is buffered before closing */
    public record Shutdown(Duration drainTimeout) {
    }
}
