package com.oviron.callidus.agent;

import com.oviron.callidus.agent.media.DisplaySettings;
import com.oviron.callidus.agent.media.XrayCaptureSettings;
import com.oviron.callidus.agent.media.XraySettings;
import com.oviron.callidus.agent.settings.SettingsSyncSettings;
import com.oviron.callidus.agent.subscription.SubscriptionSettings;
import com.oviron.callidus.cloud.files.FileTransferSettings;
import com.oviron.callidus.cloud.MqttProtocol;
import com.oviron.callidus.cloud.TlsSettings;
import com.oviron.callidus.hal.GpioLine;
import com.oviron.callidus.hal.SerialSettings;
import com.oviron.callidus.hal.modbus.RegisterMap;
import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.RetentionSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The agent's whole configuration, validated. Every key, its default and its allowed values are in
 * docs/configuration.md; {@link AgentConfigLoader} reads it from the JSON file.
 */
public record AgentConfig(Device device, Hal hal, Store store, Mqtt mqtt, Sync sync, Gpio gpio, Log log,
                          Shutdown shutdown, Optional<SubscriptionSettings> subscription, Cloud cloud,
                          Optional<com.oviron.callidus.agent.console.ConsoleSettings> console,
                          com.oviron.callidus.agent.diagnostics.DiagnosticsSettings diagnostics,
                          Optional<com.oviron.callidus.agent.access.AccessSettings> access) {

    /**
     * The cloud services besides telemetry (docs/configuration.md: settings, files, display, xray).
     *
     * @param settings    settings backup and sync, when the unit's settings folder is configured
     * @param files       file transfer limits; the quotas name the kinds the unit receives
     * @param display     logo and screen saver, when the display folder is configured
     * @param xray        the X-ray vault and viewer folder, when configured
     * @param xrayCapture the folder the X-ray sensor software drops images into, when configured
     * @param update      remote software updates (A/B slots), when configured
     */
    public record Cloud(Optional<SettingsSyncSettings> settings, FileTransferSettings files,
                        Optional<DisplaySettings> display, Optional<XraySettings> xray,
                        Optional<XrayCaptureSettings> xrayCapture,
                        Optional<com.oviron.callidus.agent.update.UpdateSettings> update) {
    }

    /** @param id the unit's serial number, also its MQTT client id and topic level */
    public record Device(String id) {
    }

    /**
     * @param source       where readings come from: "simulator" (in-process board) or "modbus" (the board)
     * @param seed         the simulator's random seed
     * @param samplePeriod the sampling tick; Modbus channels are read at their own period, on these ticks
     * @param modbus       the board's line and register map, present when source is "modbus"
     * @param simulatorMap with the simulator: the register map whose periods and deadbands the simulated
     *                     board's channels are sampled at ({@code hal.simulatorSchedule = "register-map"}), or
     *                     empty for every channel on every sample
     * @param simulatorExtraChannels with the simulator: made-up channels added to the board's nine, for
     *                     benchmarks of a unit with more channels ({@code hal.simulatorExtraChannels}); 0: none
     */
    public record Hal(String source, long seed, Duration samplePeriod, Optional<Modbus> modbus,
                      Optional<RegisterMap> simulatorMap, int simulatorExtraChannels) {
        /** Whether the readings are made up by the in-process simulator (development and tests only). */
        public boolean isSimulator() {
            return source.equals("simulator");
        }

        /** The source in a technician's words, for --check-config and the start log. */
        public String description() {
            return modbus.filter(m -> !isSimulator()).map(m -> "modbus device=" + m.serial().device() + " slave="
                    + m.slaveId() + " map=" + m.map().name()).orElse(isSimulator()
                    ? "SIMULATOR (made-up readings: development and tests only, never on a unit)"
                    + (simulatorExtraChannels > 0 ? " with " + simulatorExtraChannels + " made-up channels more" : "")
                    : source);
        }
    }

    /**
     * @param serial    the serial line (default 115200 8N1)
     * @param slaveId   the board's Modbus address
     * @param timeout   how long to wait for an answer
     * @param retries   attempts after a bad or missing answer
     * @param maxGap    most unused registers read to coalesce two channels into one request
     * @param reopenMin first wait before reopening a vanished device
     * @param reopenMax longest wait before reopening
     * @param map       the validated register map
     */
    public record Modbus(SerialSettings serial, int slaveId, Duration timeout, int retries, int maxGap,
                         Duration reopenMin, Duration reopenMax, RegisterMap map) {
    }

    /**
     * @param path                 the SQLite file
     * @param durability           what an accepted reading survives
     * @param groupCommitReadings  a write transaction starts as soon as this many readings wait
     * @param groupCommitDelay     longest a reading waits in memory before its transaction starts
     * @param memoryBufferReadings most readings waiting in memory (besides the group being written)
     * @param retention            size and age limits of the stored readings
     * @param reserveBytes         size of the reserve file kept next to the store to get through a full disk
     */
    public record Store(Path path, Durability durability, int groupCommitReadings, Duration groupCommitDelay,
                        int memoryBufferReadings, RetentionSettings retention, long reserveBytes) {
    }

    /**
     * @param brokerUris     the brokers, ssl://host:port (or tcp:// in development); the unit starts with the first
     *                       and moves on to the next when a session is lost or a connect fails
     * @param protocol       MQTT 5, 3.1.1, or auto: 5 where the broker takes it
     * @param keepAlive      MQTT keep-alive
     * @param connectTimeout one connect attempt at most
     * @param reconnectMin   cap of the first reconnect wait
     * @param reconnectMax   largest reconnect wait
     * @param username       optional
     * @param password       optional, never logged
     * @param maxInflight    QoS 1 publishes awaiting PUBACK at most (Paho's window)
     * @param tls            mutual TLS for an ssl:// broker
     * @param persistentSession clean session off: commands sent while the unit is away wait at the broker
     * @param sessionExpiry  MQTT 5: how long the broker keeps that session for a unit that went away
     * @param maxPublishesPerSecond publishes per second of the whole connection at most (0: no limit)
     */
    public record Mqtt(List<String> brokerUris, MqttProtocol protocol, Duration keepAlive, Duration connectTimeout,
                       Duration reconnectMin, Duration reconnectMax, Optional<String> username,
                       Optional<String> password, int maxInflight, Optional<TlsSettings> tls, boolean persistentSession,
                       Duration sessionExpiry, int maxPublishesPerSecond, int maxIncomingBytes) {
        public Mqtt {
            brokerUris = List.copyOf(brokerUris);
        }

        @Override
        public String toString() {
            return "Mqtt[brokerUris=" + brokerUris + ", protocol=" + protocol + ", username=" + username
                    + ", password=" + (password.isPresent() ? "***" : "none") + "]";
        }
    }

    /**
     * @param batchMaxReadings readings per telemetry message at most
     * @param inFlightWindow   telemetry messages awaiting PUBACK at most
     * @param interval         how often the outbox is checked
     * @param healthInterval   how often the retained health message is refreshed
     * @param maxPublishesPerSecond telemetry publishes per second at most, so that a backlog after a long
     *                         outage is replayed gently (0: no limit)
     * @param catchUpMaxReadings readings per telemetry message at most while a backlog is replayed
     * @param catchUpMaxBytes  payload bytes per telemetry message at most while a backlog is replayed
     */
    public record Sync(int batchMaxReadings, int inFlightWindow, Duration interval, Duration healthInterval,
                       int maxPublishesPerSecond, int catchUpMaxReadings, int catchUpMaxBytes) {
    }

    /**
     * @param provider         "none" (no GPIO), "gpiod" (the controller) or "mock" (laptop, demo, tests)
     * @param lines            the discrete inputs and outputs, by name
     * @param treatmentInputs  inputs whose activity means a treatment is in progress
     * @param treatmentHoldOff how long a treatment counts as in progress after the last activity
     * @param statusLed        an output that shows whether the cloud link is up
     */
    public record Gpio(String provider, List<GpioLine> lines, Set<String> treatmentInputs, Duration treatmentHoldOff,
                       Optional<String> statusLed) {
        public Gpio {
            lines = List.copyOf(lines);
            treatmentInputs = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(treatmentInputs));
        }
    }

    /**
     * @param level       the lowest level logged at start: debug, info, warn, error (changed at run time by
     *                    log.set-level)
     * @param file        the optional log file besides standard output
     * @param fileMaxMb   the size at which the file is rolled over
     * @param fileBackups how many rolled-over files are kept besides the current one
     */
    public record Log(String level, Optional<java.nio.file.Path> file, int fileMaxMb, int fileBackups) {
        /** Standard output only. */
        public Log(String level) {
            this(level, Optional.empty(), AgentConfigLoader.DEFAULT_LOG_FILE_MAX_MB,
                    AgentConfigLoader.DEFAULT_LOG_FILE_BACKUPS);
        }
    }

    /** @param drainTimeout on SIGTERM, how long to keep sending what is buffered before closing */
    public record Shutdown(Duration drainTimeout) {
    }
}
