package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.store.Durability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentConfigLoaderTest {
    private static final String MINIMAL = """
            {"device": {"id": "CAL-000123"}, "hal": {"source": "simulator"},
             "store": {"path": "data/agent.db"},
             "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://broker.local:1883"}}
            """;

    @TempDir
    Path dir;

    @Test
    void a_minimal_file_gets_the_documented_defaults() throws Exception {
        AgentConfig c = AgentConfigLoader.parse(MINIMAL, dir);
        assertEquals("CAL-000123", c.device().id());
        assertEquals(dir.resolve("data/agent.db"), c.store().path());
        assertEquals(Durability.FULL, c.store().durability());
        assertEquals("simulator", c.hal().source());
        assertEquals(Duration.ofMillis(100), c.hal().samplePeriod());
        assertEquals(AgentConfigLoader.DEFAULT_GROUP_COMMIT_READINGS, c.store().groupCommitReadings());
        assertEquals(AgentConfigLoader.DEFAULT_RECONNECT_MAX, c.mqtt().reconnectMax());
        assertEquals(Optional.empty(), c.mqtt().password());
        assertEquals(AgentConfigLoader.DEFAULT_IN_FLIGHT_WINDOW, c.sync().inFlightWindow());
        assertEquals(32_768, c.sync().catchUpMaxReadings());
        assertEquals(122_880, c.sync().catchUpMaxBytes());
        assertEquals("info", c.log().level());
        assertEquals(Duration.ofSeconds(5), c.shutdown().drainTimeout());
        assertEquals(512L * 1024 * 1024, c.store().retention().maxBytes());
        assertEquals(Duration.ofDays(30), c.store().retention().maxAge());
        assertEquals(Duration.ofDays(365), c.store().retention().aggregateMaxAge());
        assertEquals(16L * 1024 * 1024, c.store().reserveBytes());
        assertEquals(Duration.ofMinutes(1), c.sync().healthInterval());
        assertTrue(c.mqtt().persistentSession());
        assertEquals(80, c.mqtt().maxPublishesPerSecond());
        assertEquals(128 * 1024, c.mqtt().maxIncomingBytes());
        assertEquals(java.util.List.of("tcp://broker.local:1883"), c.mqtt().brokerUris());
        assertEquals(com.oviron.callidus.cloud.MqttProtocol.AUTO, c.mqtt().protocol());
        assertEquals(Duration.ofDays(7), c.mqtt().sessionExpiry());
        assertEquals(Duration.ofSeconds(10), c.sync().interval());
        assertEquals(Optional.empty(), c.hal().simulatorMap(), "the simulator reads every channel on every sample");
    }

    @Test
    void the_simulator_can_be_sampled_at_the_shipped_maps_periods_and_deadbands() throws Exception {
        AgentConfig c = AgentConfigLoader.parse(MINIMAL.replace("\"source\": \"simulator\"",
                "\"source\": \"simulator\", \"simulatorSchedule\": \"register-map\""), dir);
        com.oviron.callidus.hal.modbus.RegisterMap map = c.hal().simulatorMap().orElseThrow();
        assertEquals(com.oviron.callidus.hal.modbus.RegisterMapLoader.loadDefault(), map);
        com.oviron.callidus.hal.fake.ManualClock clock = new com.oviron.callidus.hal.fake.ManualClock(
                java.time.Instant.parse("2026-12-05T10:00:00Z"));
        try (com.oviron.callidus.hal.SensorPort board = Agent.simulatedBoard(c, clock, 1)) {
            assertEquals(9, board.sample().size(), "the first sample reads every channel");
            clock.advance(Duration.ofMillis(100));
            assertTrue(board.sample().size() <= 7, "the two temperatures are read once a second");
        }
        ConfigException wrong = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> AgentConfigLoader.parse(MINIMAL.replace("\"source\": \"simulator\"",
                        "\"source\": \"simulator\", \"simulatorSchedule\": \"map\""), dir));
        assertTrue(wrong.getMessage().contains("hal.simulatorSchedule"), wrong.getMessage());
    }

    @Test
    void the_simulator_can_carry_made_up_channels_for_benchmarks_but_a_board_cannot() throws Exception {
        assertEquals(0, AgentConfigLoader.parse(MINIMAL, dir).hal().simulatorExtraChannels());
        AgentConfig c = AgentConfigLoader.parse(MINIMAL.replace("\"source\": \"simulator\"",
                "\"source\": \"simulator\", \"simulatorExtraChannels\": 41"), dir);
        assertEquals(41, c.hal().simulatorExtraChannels());
        assertTrue(c.hal().description().contains("41 made-up channels"), c.hal().description());
        try (com.oviron.callidus.hal.SensorPort board = Agent.simulatedBoard(c, java.time.Clock.systemUTC(), 1)) {
            assertEquals(50, board.channels().size());
            assertEquals(50, board.sample().size());
        }
        ConfigException tooMany = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> AgentConfigLoader.parse(MINIMAL.replace("\"source\": \"simulator\"",
                        "\"source\": \"simulator\", \"simulatorExtraChannels\": 501"), dir));
        assertTrue(tooMany.getMessage().contains("hal.simulatorExtraChannels"), tooMany.getMessage());
        ConfigException onABoard = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> AgentConfigLoader.parse(MINIMAL.replace("\"source\": \"simulator\"",
                        "\"source\": \"modbus\", \"serial\": {\"device\": \"/dev/ttyS1\"},"
                                + " \"simulatorExtraChannels\": 41"), dir));
        assertTrue(onABoard.getMessage().contains("hal.simulatorExtraChannels")
                && onABoard.getMessage().contains("simulator only"), onABoard.getMessage());
    }

    @Test
    void reads_a_list_of_brokers_the_mqtt_version_and_the_session_expiry() throws Exception {
        AgentConfig c = AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "hal": {"source": "simulator"}, "store": {"path": "a.db"},
                 "mqtt": {"allowPlainTcp": true, "brokerUris": ["tcp://node1:1883", "tcp://node2:1883", "tcp://node3:1883"],
                          "protocol": "3.1.1", "sessionExpiry": "2d"}}
                """, dir);
        assertEquals(java.util.List.of("tcp://node1:1883", "tcp://node2:1883", "tcp://node3:1883"),
                c.mqtt().brokerUris());
        assertEquals(com.oviron.callidus.cloud.MqttProtocol.MQTT_3_1_1, c.mqtt().protocol());
        assertEquals(Duration.ofDays(2), c.mqtt().sessionExpiry());
        AgentConfig five = AgentConfigLoader.parse(MINIMAL.replace("\"allowPlainTcp\"", "\"protocol\": \"5\", \"allowPlainTcp\""),
                dir);
        assertEquals(com.oviron.callidus.cloud.MqttProtocol.MQTT_5, five.mqtt().protocol());
    }

    @Test
    void reads_the_retention_limits() throws Exception {
        AgentConfig c = AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "hal": {"source": "simulator"}, "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://h:1"},
                 "store": {"path": "a.db", "maxSizeMb": 64, "maxAge": "7d", "aggregateMaxAge": "90d",
                           "reserveMb": 2}}
                """, dir);
        assertEquals(64L * 1024 * 1024, c.store().retention().maxBytes());
        assertEquals(2L * 1024 * 1024, c.store().reserveBytes());
        assertEquals(Duration.ofDays(7), c.store().retention().maxAge());
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "hal": {"source": "simulator"}, "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://h:1"},
                 "store": {"path": "a.db", "maxAge": "30d", "aggregateMaxAge": "7d"}}
                """, dir));
        assertEquals("store.aggregateMaxAge", e.key());
    }

    @Test
    void reads_every_key_of_a_full_file() throws Exception {
        AgentConfig c = AgentConfigLoader.parse("""
                {"device": {"id": "CAL-9"},
                 "hal": {"source": "simulator", "seed": 42, "samplePeriod": "250ms"},
                 "store": {"path": "/var/lib/callidus/agent.db", "durability": "normal", "groupCommitReadings": 50,
                           "groupCommitDelay": "2s", "memoryBufferReadings": 500},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://10.0.0.1:1883", "keepAlive": "1m", "connectTimeout": "5s",
                          "reconnectMin": "500ms", "reconnectMax": "1h", "username": "unit", "password": "s3cret",
                          "maxInflight": 10},
                 "sync": {"batchMaxReadings": 100, "inFlightWindow": 4, "interval": "200ms"},
                 "log": {"level": "debug"},
                 "shutdown": {"drainTimeout": "0ms"}}
                """, dir);
        assertEquals(42, c.hal().seed());
        assertEquals(Duration.ofMillis(250), c.hal().samplePeriod());
        assertEquals(Path.of("/var/lib/callidus/agent.db"), c.store().path());
        assertEquals(Durability.NORMAL, c.store().durability());
        assertEquals(Duration.ofHours(1), c.mqtt().reconnectMax());
        assertEquals(Optional.of("s3cret"), c.mqtt().password());
        assertTrue(!c.mqtt().toString().contains("s3cret"), "password must not show in logs");
        assertEquals(4, c.sync().inFlightWindow());
        assertEquals("debug", c.log().level());
        assertEquals(Duration.ZERO, c.shutdown().drainTimeout());
    }

    @Test
    void a_file_without_a_hal_section_is_refused_instead_of_sampling_the_simulator() {
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "store": {"path": "a.db"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://h:1"}}
                """, dir));
        assertEquals("hal.source", e.key(), e.getMessage());
        assertTrue(e.getMessage().contains("is missing"), e.getMessage());
        assertTrue(e.getMessage().contains("[modbus, simulator]"), e.getMessage());
        assertTrue(e.getMessage().contains("development and tests only"), e.getMessage());
    }

    @Test
    void a_hal_section_without_a_source_is_refused_too() {
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "hal": {"samplePeriod": "50ms"}, "store": {"path": "a.db"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://h:1"}}
                """, dir));
        assertEquals("hal.source", e.key(), e.getMessage());
    }

    @Test
    void the_source_is_whatever_the_file_names() throws Exception {
        AgentConfig c = AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "hal": {"source": "modbus", "serial": {"device": "/dev/ttyS1"}},
                 "store": {"path": "a.db"}, "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://h:1"}}
                """, dir);
        assertEquals("modbus", c.hal().source());
        assertTrue(!c.hal().isSimulator());
        assertTrue(AgentConfigLoader.parse(MINIMAL, dir).hal().isSimulator());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        // a misspelt required section or key is named as the typo, not as the missing key
        "stor       | store       | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"stor\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"}}",
        "hla        | hal         | {\"device\":{\"id\":\"C\"},\"hla\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"}}",
        "hal.sorce  | source      | {\"device\":{\"id\":\"C\"},\"hal\":{\"sorce\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"}}",
        "device.ID  | id          | {\"device\":{\"ID\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"}}",
        "mqtt.brokerURL | brokerUri | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerURL\":\"tcp://h:1\"}}",
        // an unknown optional key at every level: the top, a section, a nested section, a named line, a service
        "snyc       | sync        | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"},\"snyc\":{}}",
        "mqtt.keepAlvie | keepAlive | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\",\"keepAlvie\":\"5s\"}}",
        "hal.serial.baudrate | baudRate | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"modbus\",\"serial\":{\"device\":\"/dev/ttyS1\",\"baudrate\":9600}},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"}}",
        "gpio.lines.pedal.debunce | debounce | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"},\"gpio\":{\"lines\":{\"pedal\":{\"direction\":\"input\",\"pin\":5,\"debunce\":\"5ms\"}}}}",
        "settings.quietPeriode | quietPeriod | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"},\"settings\":{\"folder\":\"s\",\"quietPeriode\":\"5s\"}}"
    })
    void an_unknown_key_is_reported_with_the_closest_known_key(String key, String meant, String json) {
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse(json, dir));
        assertEquals(key, e.key(), e.getMessage());
        String typo = key.substring(key.lastIndexOf('.') + 1);
        assertTrue(e.getMessage().contains("unknown key '" + typo + "'; did you mean '" + meant + "'?"),
                e.getMessage());
    }

    @Test
    void an_unknown_key_far_from_every_known_key_gets_no_guess() {
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "hal": {"source": "simulator"}, "store": {"path": "a.db"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://h:1"}, "telemetry": {}}
                """, dir));
        assertEquals("telemetry", e.key(), e.getMessage());
        assertTrue(!e.getMessage().contains("did you mean"), e.getMessage());
        assertTrue(e.getMessage().contains("known keys here are"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "device           | {\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"}}",
        "device.id        | {\"device\":{\"id\":\"CAL 1/#\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"}}",
        "store            | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"}}",
        "mqtt.brokerUri   | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"http://h\"}}",
        "mqtt.brokerUri   | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h\"}}",
        "mqtt.brokerUrl   | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\",\"brokerUrl\":\"x\"}}",
        "hal.samplePeriod | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\",\"samplePeriod\":\"1ms\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"}}",
        "hal.samplePeriod | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\",\"samplePeriod\":\"fast\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"}}",
        "hal.samplePeriod | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\",\"samplePeriod\":100},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"}}",
        "hal.source       | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"modbus-magic\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"}}",
        "store.durability | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\",\"durability\":\"OFF\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"}}",
        "store.groupCommitReadings | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\",\"groupCommitReadings\":0},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"}}",
        "store.groupCommitReadings | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\",\"groupCommitReadings\":1.5},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"}}",
        "store.reserveMb | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\",\"reserveMb\":0},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"}}",
        "store.memoryBufferReadings | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\",\"groupCommitReadings\":100,\"memoryBufferReadings\":10},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"}}",
        "mqtt.reconnectMax | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\",\"reconnectMin\":\"10s\",\"reconnectMax\":\"1s\"}}",
        "sync.inFlightWindow | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\",\"maxInflight\":6},\"sync\":{\"inFlightWindow\":3}}",
        "mqtt.maxInflight | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\",\"maxInflight\":4}}",
        "mqtt.brokerUri   | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1883/x\"}}",
        "mqtt.keepAlive   | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\",\"keepAlive\":\"5s\",\"keepAlive\":\"9s\"}}",
        "log.level        | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"},\"log\":{\"level\":\"loud\"}}",
        "log.level        | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"},\"log\":{\"level\":\"trace\"}}",
        "mqtt.persistentSession | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\",\"persistentSession\":\"yes\"}}",
        "mqtt.maxIncomingBytes | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\",\"maxIncomingBytes\":1000}}",
        "mqtt.maxIncomingBytes | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\",\"maxIncomingBytes\":16777217}}",
        "mqtt.maxPublishesPerSecond | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\",\"maxPublishesPerSecond\":-1}}",
        "sync.maxPublishesPerSecond | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\",\"maxPublishesPerSecond\":40}}",
        "telemetry        | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"},\"telemetry\":{}}",
        "mqtt             | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":\"tcp://h:1\"}",
        "mqtt.brokerUri   | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true}}",
        "mqtt.brokerUris  | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\",\"brokerUris\":[\"tcp://h:2\"]}}",
        "mqtt.brokerUris  | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUris\":[\"tcp://h:1\",\"tcp://h:1\"]}}",
        "mqtt.brokerUris  | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUris\":[\"tcp://h:1\",\"http://h:2\"]}}",
        "mqtt.brokerUris  | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUris\":[\"tcp://h:1\",\"ssl://h:2\"]}}",
        "mqtt.brokerUris  | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"brokerUris\":[\"tcp://h:1\"]}}",
        "mqtt.brokerUris  | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUris\":\"tcp://h:1\"}}",
        "mqtt.protocol    | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\",\"protocol\":\"3\"}}",
        "mqtt.sessionExpiry | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\",\"sessionExpiry\":\"10s\"}}",
        "sync.catchUpMaxBytes | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"},\"sync\":{\"catchUpMaxBytes\":131073}}",
        "sync.catchUpMaxReadings | {\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,\"brokerUri\":\"tcp://h:1\"},\"sync\":{\"catchUpMaxReadings\":65537}}"
    })
    void names_the_key_that_is_wrong(String key, String json) {
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse(json, dir));
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
    }

    @Test
    void a_modbus_board_gets_115200_8n1_slave_1_and_the_shipped_register_map() throws Exception {
        AgentConfig c = AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "store": {"path": "a.db"}, "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://h:1"},
                 "hal": {"source": "modbus", "serial": {"device": "/dev/ttyUSB0"}}}
                """, dir);
        AgentConfig.Modbus m = c.hal().modbus().orElseThrow();
        assertEquals("/dev/ttyUSB0", m.serial().device());
        assertEquals(115_200, m.serial().baudRate());
        assertEquals(8, m.serial().dataBits());
        assertEquals(com.oviron.callidus.hal.SerialSettings.Parity.NONE, m.serial().parity());
        assertEquals(1, m.serial().stopBits());
        assertEquals(1, m.slaveId());
        assertEquals(9, m.map().channels().size());
        assertEquals(Duration.ofMillis(100), m.timeout());
    }

    @Test
    void a_register_map_override_is_validated_at_start_and_its_errors_name_the_channel() throws Exception {
        Files.writeString(dir.resolve("map.json"), """
                {"format": 1, "channels": [{"id": "supply_voltage", "name": "Supply", "unit": "V", "kind": "input",
                  "address": 0, "type": "u16", "scale": 0, "min": 0, "max": 40}]}
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "store": {"path": "a.db"}, "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://h:1"},
                 "hal": {"source": "modbus", "serial": {"device": "/dev/ttyUSB0"},
                         "modbus": {"registerMap": "map.json"}}}
                """, dir));
        assertEquals("hal.modbus.registerMap", e.key());
        assertTrue(e.getMessage().contains("channel 'supply_voltage' field 'scale'"), e.getMessage());
    }

    private static final String GPIO = """
            {"device": {"id": "CAL-1"}, "hal": {"source": "simulator"}, "store": {"path": "a.db"}, "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://h:1"},
             "gpio": {"provider": "mock",
                      "lines": {"foot_control": {"direction": "input", "pin": 17, "activeLow": true, "pull": "up"},
                                "instrument_active": {"direction": "input", "pin": 27, "debounce": "5ms"},
                                "status_led": {"direction": "output", "pin": 22}},
                      "treatmentInputs": ["foot_control", "instrument_active"],
                      "treatmentHoldOff": "10s", "statusLed": "status_led"}}
            """;

    @Test
    void reads_gpio_lines_treatment_inputs_and_the_status_led() throws Exception {
        AgentConfig.Gpio g = AgentConfigLoader.parse(GPIO, dir).gpio();
        assertEquals("mock", g.provider());
        assertEquals(3, g.lines().size());
        com.oviron.callidus.hal.GpioLine foot = g.lines().get(0);
        assertEquals("foot_control", foot.name());
        assertEquals(17, foot.pin());
        assertTrue(foot.activeLow());
        assertEquals(AgentConfigLoader.DEFAULT_GPIO_DEBOUNCE, foot.debounce());
        assertEquals(com.oviron.callidus.hal.GpioPull.UP, foot.pull());
        assertEquals(Duration.ofMillis(5), g.lines().get(1).debounce());
        assertEquals(java.util.Set.of("foot_control", "instrument_active"), g.treatmentInputs());
        assertEquals(Duration.ofSeconds(10), g.treatmentHoldOff());
        assertEquals(Optional.of("status_led"), g.statusLed());
        assertEquals("none", AgentConfigLoader.parse(MINIMAL, dir).gpio().provider());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "gpio.lines.foot_control.pin | \"pin\": 17->\"pin\": 64",
        "gpio.lines.foot_control.pin | \"pin\": 17, ->",
        "gpio.lines.foot_control.direction | \"direction\": \"input\", \"pin\": 17->\"direction\": \"sideways\", \"pin\": 17",
        "gpio.lines.status_led.debounce | \"direction\": \"output\", \"pin\": 22->\"direction\": \"output\", \"pin\": 22, \"debounce\": \"5ms\"",
        "gpio.lines | \"pin\": 27->\"pin\": 17",
        "gpio.treatmentInputs | [\"foot_control\", \"instrument_active\"]->[\"status_led\"]",
        "gpio.statusLed | \"statusLed\": \"status_led\"->\"statusLed\": \"foot_control\"",
        "gpio.provider | \"provider\": \"mock\"->\"provider\": \"wiringpi\"",
        "gpio.lines.foot_control.activeLow | \"activeLow\": true->\"activeLow\": \"yes\""
    })
    void names_the_gpio_key_that_is_wrong(String key, String change) {
        String[] parts = change.split("->", 2);
        String json = GPIO.replace(parts[0], parts[1]);
        assertTrue(!json.equals(GPIO), "the change must apply: " + change);
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse(json, dir));
        assertEquals(key.trim(), e.key(), e.getMessage());
    }

    @Test
    void a_modbus_board_needs_a_serial_device() {
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "store": {"path": "a.db"}, "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://h:1"},
                 "hal": {"source": "modbus", "serial": {"baudRate": 9600}}}
                """, dir));
        assertEquals("hal.serial.device", e.key());
        ConfigException parity = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "store": {"path": "a.db"}, "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://h:1"},
                 "hal": {"source": "modbus", "serial": {"device": "/dev/ttyS0", "parity": "mark"}}}
                """, dir));
        assertEquals("hal.serial.parity", parity.key());
        ConfigException sevenBits = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "store": {"path": "a.db"}, "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://h:1"},
                 "hal": {"source": "modbus", "serial": {"device": "/dev/ttyS0", "dataBits": 7}}}
                """, dir));
        assertEquals("hal.serial.dataBits", sevenBits.key());
        ConfigException reopen = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "store": {"path": "a.db"}, "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://h:1"},
                 "hal": {"source": "modbus", "serial": {"device": "/dev/ttyS0"},
                         "modbus": {"reopenMin": "10s", "reopenMax": "1s"}}}
                """, dir));
        assertEquals("hal.modbus.reopenMax", reopen.key());
    }

    @Test
    void plain_tcp_needs_an_explicit_allowance_and_ssl_needs_tls_settings() throws Exception {
        ConfigException plain = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "hal": {"source": "simulator"}, "store": {"path": "a.db"}, "mqtt": {"brokerUri": "tcp://h:1883"}}
                """, dir));
        assertEquals("mqtt.brokerUri", plain.key());
        assertTrue(plain.getMessage().contains("allowPlainTcp"), plain.getMessage());
        ConfigException noTls = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "hal": {"source": "simulator"}, "store": {"path": "a.db"}, "mqtt": {"brokerUri": "ssl://h:8883"}}
                """, dir));
        assertEquals("mqtt.tls", noTls.key());
    }

    @Test
    void reads_tls_files_relative_to_the_config_and_checks_they_exist() throws Exception {
        for (String f : new String[] {"ca.pem", "unit.pem", "unit.key"}) {
            Files.writeString(dir.resolve(f), "x");
        }
        AgentConfig c = AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "hal": {"source": "simulator"}, "store": {"path": "a.db"},
                 "mqtt": {"brokerUri": "ssl://broker.oviron.example:8883",
                          "tls": {"caCertificate": "ca.pem", "clientCertificate": "unit.pem", "clientKey": "unit.key"}}}
                """, dir);
        com.oviron.callidus.cloud.TlsSettings tls = c.mqtt().tls().orElseThrow();
        assertEquals(dir.resolve("ca.pem"), tls.caCertificate());
        assertEquals(Optional.of(dir.resolve("unit.key")), tls.clientKey());
        assertTrue(tls.hostnameVerification());

        ConfigException missing = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "hal": {"source": "simulator"}, "store": {"path": "a.db"},
                 "mqtt": {"brokerUri": "ssl://h:8883", "tls": {"caCertificate": "nope.pem", "pkcs12": "unit.pem"}}}
                """, dir));
        assertEquals("mqtt.tls.caCertificate", missing.key());
        ConfigException half = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "hal": {"source": "simulator"}, "store": {"path": "a.db"},
                 "mqtt": {"brokerUri": "ssl://h:8883", "tls": {"caCertificate": "ca.pem", "clientCertificate": "unit.pem"}}}
                """, dir));
        assertEquals("mqtt.tls.clientKey", half.key());
        ConfigException noIdentity = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "hal": {"source": "simulator"}, "store": {"path": "a.db"},
                 "mqtt": {"brokerUri": "ssl://h:8883", "tls": {"caCertificate": "ca.pem"}}}
                """, dir));
        assertEquals("mqtt.tls.clientCertificate", noIdentity.key());
    }

    @Test
    void says_what_is_wrong_with_a_file_that_is_not_json_or_missing() throws Exception {
        Path broken = dir.resolve("agent.json");
        Files.writeString(broken, "{\"device\": {\"id\": \"C\"");
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.load(broken));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        ConfigException missing = assertThrows(ConfigException.class,
                () -> AgentConfigLoader.load(dir.resolve("nope.json")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "{\"device\": {\"id\": \"C\"},\"hal\":{\"source\":\"simulator\"}, // a comment\n \"store\": {\"path\": \"a.db\"}, \"mqtt\": {\"allowPlainTcp\": true, \"brokerUri\": \"tcp://h:1\"}}",
        "{'device': {'id': 'C'}, 'store': {'path': 'a.db'}, 'mqtt': {'allowPlainTcp': true, 'brokerUri': 'tcp://h:1'}}",
        "{\"device\": {\"id\": \"C\"},\"hal\":{\"source\":\"simulator\"}, \"store\": {\"path\": \"a.db\"}, \"mqtt\": {\"allowPlainTcp\": true, \"brokerUri\": \"tcp://h:1\"}} extra"
    })
    void accepts_only_strict_json(String json) {
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse(json, dir));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void resolves_a_relative_store_path_against_the_config_file() throws Exception {
        Path file = dir.resolve("etc/agent.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, MINIMAL);
        assertEquals(dir.resolve("etc/data/agent.db"), AgentConfigLoader.load(file).store().path());
    }

    @Test
    void reads_the_sections_of_the_cloud_services_subscription_updates_and_console() throws Exception {
        AgentConfig c = AgentConfigLoader.parse("""
                {"device": {"id": "CAL-000123"}, "hal": {"source": "simulator"},
                 "store": {"path": "data/agent.db"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://broker.local:1883"},
                 "subscription": {"keys": {"k2026": "XnSuoSe_vL7PVcbWSzhV_JF0xtTfUOv5Re5rGi6R8Gk"}},
                 "settings": {"folder": "/var/lib/callidus-ui/settings", "fullBackupInterval": "12h"},
                 "display": {"folder": "/var/lib/callidus-ui/display", "width": 1024, "height": 600},
                 "xray": {"viewerFolder": "/var/lib/viewer", "retention": "14d", "maxFileMb": 32,
                          "captureFolder": "/var/lib/sensor"},
                 "files": {"maxConcurrent": 3, "chunksPerSecond": 20},
                 "update": {"root": "/var/lib/callidus/update", "hardwareId": "callidus-v1",
                            "keys": {"rel1": "XnSuoSe_vL7PVcbWSzhV_JF0xtTfUOv5Re5rGi6R8Gk"},
                            "maintenanceWindow": "22:00-05:00", "timeZone": "Europe/Sofia"},
                 "console": {"device": "/dev/ttyGS0"}}
                """, dir);
        assertEquals(dir.resolve("data/subscription-token.jws"), c.subscription().orElseThrow().tokenFile());
        assertEquals(Duration.ofMinutes(10), c.subscription().orElseThrow().timeChallengeValidity());
        assertEquals(Duration.ofDays(1), c.subscription().orElseThrow().tokenTimeLead());
        AgentConfig.Cloud cloud = c.cloud();
        assertEquals(Duration.ofHours(12), cloud.settings().orElseThrow().fullBackupInterval());
        assertEquals(1024, cloud.display().orElseThrow().spec().width());
        assertEquals(Duration.ofDays(14), cloud.xray().orElseThrow().retention());
        assertEquals(32L << 20, cloud.xray().orElseThrow().maxFileBytes());
        assertEquals(Path.of("/var/lib/sensor"), cloud.xrayCapture().orElseThrow().captureFolder());
        assertEquals(3, cloud.files().maxConcurrent());
        assertEquals(20, cloud.files().chunksPerSecond());
        assertEquals(java.util.Set.of(com.oviron.callidus.cloud.files.FileKind.LOGO,
                com.oviron.callidus.cloud.files.FileKind.SCREENSAVER, com.oviron.callidus.cloud.files.FileKind.XRAY,
                com.oviron.callidus.cloud.files.FileKind.UPDATE), cloud.files().maxDownloadBytes().keySet(),
                "a kind is received only when its handler is configured");
        assertEquals(32L << 20, cloud.files().maxDownloadBytes().get(com.oviron.callidus.cloud.files.FileKind.XRAY));
        assertEquals("callidus-v1", cloud.update().orElseThrow().hardwareId());
        assertEquals(java.time.ZoneId.of("Europe/Sofia"), cloud.update().orElseThrow().zone());
        assertEquals("/dev/ttyGS0", c.console().orElseThrow().serial().device());

        AgentConfig minimal = AgentConfigLoader.parse(MINIMAL, dir);
        assertTrue(minimal.subscription().isEmpty() && minimal.cloud().settings().isEmpty()
                && minimal.cloud().update().isEmpty() && minimal.console().isEmpty() && minimal.access().isEmpty());
        assertTrue(minimal.cloud().files().maxDownloadBytes().isEmpty(), "no handler, no kind received");
    }

    @Test
    void reads_the_access_section_with_its_defaults_and_a_consent_button_on_a_gpio_input() throws Exception {
        AgentConfig c = AgentConfigLoader.parse("""
                {"device": {"id": "CAL-000123"}, "hal": {"source": "simulator"},
                 "store": {"path": "data/agent.db"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://broker.local:1883"},
                 "gpio": {"provider": "mock", "lines": {"consent_button": {"direction": "input", "pin": 5}}},
                 "access": {"keys": {"t2026": "XnSuoSe_vL7PVcbWSzhV_JF0xtTfUOv5Re5rGi6R8Gk"},
                            "consentButton": "consent_button", "idleTimeout": "5m", "lockoutFirst": "1m"}}
                """, dir);
        com.oviron.callidus.agent.access.AccessSettings a = c.access().orElseThrow();
        assertEquals(java.util.Set.of("t2026"), a.keys().keyIds());
        assertEquals("oviron-service", a.issuer());
        assertEquals(dir.resolve("data/access.json"), a.stateFile());
        assertEquals(Duration.ofMinutes(5), a.idleTimeout());
        assertEquals(Duration.ofMinutes(1), a.lockout().first());
        assertEquals(Duration.ofHours(1), a.lockout().longest());
        assertEquals(600_000, a.pinIterations());
        assertEquals(Duration.ofMinutes(30), a.consentDefault());
        assertEquals(Duration.ofHours(8), a.consentMax());
        assertEquals(java.util.Optional.of("consent_button"), a.consentButton());
        assertEquals(Duration.ofSeconds(2), a.consentHold());
        assertEquals(Duration.ofHours(1), a.remoteMaxTime());
        assertEquals(Duration.ofMinutes(10), a.remoteIdle());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "subscription.keys | \"subscription\":{}",
        "subscription.keys.k1 | \"subscription\":{\"keys\":{\"k1\":\"not-a-key\"}}",
        "subscription.clockTolerance | \"subscription\":{\"keys\":{\"k\":\"XnSuoSe_vL7PVcbWSzhV_JF0xtTfUOv5Re5rGi6R8Gk\"},\"clockTolerance\":\"0ms\"}",
        "subscription.tokenTimeLead | \"subscription\":{\"keys\":{\"k\":\"XnSuoSe_vL7PVcbWSzhV_JF0xtTfUOv5Re5rGi6R8Gk\"},\"tokenTimeLead\":\"8d\"}",
        "subscription.timeChallengeValidity | \"subscription\":{\"keys\":{\"k\":\"XnSuoSe_vL7PVcbWSzhV_JF0xtTfUOv5Re5rGi6R8Gk\"},\"timeChallengeValidity\":\"2h\"}",
        "settings.folder | \"settings\":{}",
        "settings.quietPeriod | \"settings\":{\"folder\":\"s\",\"quietPeriod\":\"1d\"}",
        "display.folder | \"display\":{\"width\":10}",
        "display.width | \"display\":{\"folder\":\"d\",\"width\":0}",
        "xray.viewerFolder | \"xray\":{\"retention\":\"2d\"}",
        "xray.maxFileMb | \"xray\":{\"viewerFolder\":\"v\",\"quotaMb\":10,\"maxFileMb\":20}",
        "xray.colour | \"xray\":{\"viewerFolder\":\"v\",\"colour\":1}",
        "files.chunksPerSecond | \"files\":{\"chunksPerSecond\":500}",
        "update.hardwareId | \"update\":{\"keys\":{\"k\":\"XnSuoSe_vL7PVcbWSzhV_JF0xtTfUOv5Re5rGi6R8Gk\"}}",
        "update.maintenanceWindow | \"update\":{\"hardwareId\":\"h\",\"keys\":{\"k\":\"XnSuoSe_vL7PVcbWSzhV_JF0xtTfUOv5Re5rGi6R8Gk\"},\"maintenanceWindow\":\"night\"}",
        "update.timeZone | \"update\":{\"hardwareId\":\"h\",\"keys\":{\"k\":\"XnSuoSe_vL7PVcbWSzhV_JF0xtTfUOv5Re5rGi6R8Gk\"},\"timeZone\":\"Mars/Base\"}",
        "console.device | \"console\":{\"baudRate\":9600}",
        "access.keys | \"access\":{}",
        "access.keys.t1 | \"access\":{\"keys\":{\"t1\":\"not-a-key\"}}",
        "access.idleTimeout | \"access\":{\"keys\":{\"t\":\"XnSuoSe_vL7PVcbWSzhV_JF0xtTfUOv5Re5rGi6R8Gk\"},\"idleTimeout\":\"9h\"}",
        "access.lockoutLongest | \"access\":{\"keys\":{\"t\":\"XnSuoSe_vL7PVcbWSzhV_JF0xtTfUOv5Re5rGi6R8Gk\"},\"lockoutFirst\":\"10m\",\"lockoutLongest\":\"1m\"}",
        "access.pinIterations | \"access\":{\"keys\":{\"t\":\"XnSuoSe_vL7PVcbWSzhV_JF0xtTfUOv5Re5rGi6R8Gk\"},\"pinIterations\":1000}",
        "access.consentDefault | \"access\":{\"keys\":{\"t\":\"XnSuoSe_vL7PVcbWSzhV_JF0xtTfUOv5Re5rGi6R8Gk\"},\"consentMax\":\"1h\",\"consentDefault\":\"2h\"}",
        "access.consentButton | \"access\":{\"keys\":{\"t\":\"XnSuoSe_vL7PVcbWSzhV_JF0xtTfUOv5Re5rGi6R8Gk\"},\"consentButton\":\"nothing\"}",
        "access.admin | \"access\":{\"keys\":{\"t\":\"XnSuoSe_vL7PVcbWSzhV_JF0xtTfUOv5Re5rGi6R8Gk\"},\"admin\":true}"
    })
    void names_the_key_of_a_wrong_service_section(String key, String section) {
        String json = "{\"device\":{\"id\":\"C\"},\"hal\":{\"source\":\"simulator\"},\"store\":{\"path\":\"a.db\"},\"mqtt\":{\"allowPlainTcp\":true,"
                + "\"brokerUri\":\"tcp://h:1\"}," + section + "}";
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse(json, dir));
        assertEquals(key, e.key(), e.getMessage());
    }

    @Test
    void diagnostics_default_to_the_shipped_rules_and_counters_and_their_mistakes_name_the_key() throws Exception {
        com.oviron.callidus.agent.diagnostics.DiagnosticsSettings d = AgentConfigLoader.parse(MINIMAL, dir).diagnostics();
        assertEquals(25, d.rules().size());
        assertEquals(Duration.ofDays(365).toMillis(), d.retention().keepDaysMillis());
        assertEquals(Duration.ofMinutes(1), d.flushInterval());
        assertEquals(dir.resolve("data/diagnostics.db"), d.file());
        for (String[] wrong : new String[][] {
            {"diagnostics.alarms.channels.supply_voltage.high.above", "{\"alarms\":{\"channels\":{\"supply_voltage\":{\"high\":{\"above\":\"28\"}}}}}"},
            {"diagnostics.aggregates.keepDays", "{\"aggregates\":{\"keepHours\":\"400d\"}}"},
            {"diagnostics.usage.instruments.turbine.channel", "{\"usage\":{\"instruments\":{\"turbine\":{\"channel\":\"x\",\"above\":1}}}}"},
            {"diagnostics.heartbeatInterval", "{\"heartbeatInterval\":\"8d\"}"},
            {"diagnostics.reprots", "{\"reprots\":{}}"}}) {
            String json = MINIMAL.strip().substring(0, MINIMAL.strip().length() - 1) + ", \"diagnostics\": " + wrong[1] + "}";
            ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.parse(json, dir));
            assertEquals(wrong[0], e.key(), e.getMessage());
        }
    }
}
