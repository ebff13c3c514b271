package com.oviron.callidus.agent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.agent.Agent;
import com.oviron.callidus.agent.AgentConfig;
import com.oviron.callidus.agent.AgentConfigLoader;
import com.oviron.callidus.cloud.EventMessage;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudCommander;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.hal.SerialSettings;
import com.oviron.callidus.hal.fake.SerialPipe;
import com.oviron.callidus.hal.modbus.ModbusRtuMaster;
import com.oviron.callidus.hal.modbus.ModbusSensorPort;
import com.oviron.callidus.hal.modbus.RegisterMap;
import com.oviron.callidus.hal.modbus.RegisterMapLoader;
import com.oviron.callidus.hal.sim.FaultInjectingPort;
import com.oviron.callidus.hal.sim.MapRegisterBank;
import com.oviron.callidus.hal.sim.ModbusRtuSlave;
import com.oviron.callidus.hal.sim.SimulatedCallidusBoard;
import com.oviron.callidus.store.StoredEvent;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of alarm rule driven by the simulator's fault injection through the agent's real sampler, with the
 * cloud on an embedded broker: the alarm arrives on the events topic with its code and remedy, is
 * acknowledged by a cloud command, and clears when the fault is gone.
 */
class AgentAlarmsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String DEVICE = "CAL-ALARM-1";

    @TempDir
    Path dir;

    private AgentConfig config(String brokerUri) throws Exception {
        return AgentConfigLoader.parse("""
                {"device": {"id": "%s"}, "hal": {"source": "simulator", "samplePeriod": "50ms"}, "store": {"path": "agent.db"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "50ms", "reconnectMax": "200ms"},
                 "sync": {"interval": "100ms"},
                 "diagnostics": {"flushInterval": "1s", "alarms": {
                    "channels": {
                      "main_air_pressure": {"low": {"below": 4.0, "hysteresis": 0.3, "for": "1s", "code": "A121"},
                                            "rate": {"maxChange": 1.5, "within": "1s", "direction": "falling",
                                                     "code": "A123"}},
                      "water_pressure": {"stuck": {"for": "2s", "during": "always", "code": "A004"}}},
                    "board": {"silent": {"for": "1s"}}}}}
                """.formatted(DEVICE, brokerUri), dir);
    }

    /** The events the cloud got so far, in order. */
    private static List<StoredEvent> events(CloudSubscriber cloud) throws Exception {
        List<StoredEvent> out = new ArrayList<>();
        for (CloudSubscriber.Received m : cloud.receivedOn(new Topics(DEVICE).events())) {
            StoredEvent e = EventMessage.decode(m.payload());
            if (out.stream().noneMatch(x -> x.seq() == e.seq())) {
                out.add(e);
            }
        }
        return out;
    }

    private static JsonObject detail(StoredEvent e) {
        return JsonParser.parseString(e.detail().orElseThrow()).getAsJsonObject();
    }

    private static StoredEvent await(CloudSubscriber cloud, String kind, String code) {
        StoredEvent[] found = new StoredEvent[1];
        Await.until(() -> kind + " " + code + " on the events topic", WAIT, () -> {
            try {
                for (StoredEvent e : events(cloud)) {
                    if (e.kind().equals(kind) && e.detail().isPresent() && detail(e).get("code").getAsString()
                            .equals(code)) {
                        found[0] = e;
                        return true;
                    }
                }
                return false;
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        });
        return found[0];
    }

    @Test
    void pressure_drop_over_voltage_stuck_sensor_and_silent_board_each_raise_their_alarm_with_code_and_remedy()
            throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-events", Topics.ROOT + "/+/events");
             CloudCommander commander = new CloudCommander(broker.uri(), "cloud-ops", DEVICE)) {
            FaultInjectingPort board = new FaultInjectingPort(new SimulatedCallidusBoard(Clock.systemUTC(), 3));
            try (Agent agent = Agent.start(config(broker.uri()), board, Clock.systemUTC())) {
                commander.awaitOnline(1, WAIT);

                board.faults().setPressureDrop(true);
                StoredEvent rate = await(cloud, "alarm.raised", "A123");
                assertEquals("alarm", rate.severity());
                assertTrue(rate.message().startsWith("A123 Main air pressure falling fast (main_air_pressure): raised:"),
                        rate.message());
                assertTrue(detail(rate).get("remedy").getAsString().startsWith("Check the compressor"));
                assertTrue(detail(rate).get("value").getAsDouble() < -1.5, detail(rate).toString());
                StoredEvent low = await(cloud, "alarm.raised", "A121");
                assertTrue(detail(low).get("value").getAsDouble() < 4.0);
                assertTrue(detail(low).getAsJsonObject("text").getAsJsonObject("bg").get("title").getAsString()
                        .contains("налягане"));
                board.faults().setPressureDrop(false);
                await(cloud, "alarm.cleared", "A121");

                board.faults().setOverVoltage(true);
                StoredEvent oor = await(cloud, "alarm.raised", "A005");
                assertTrue(detail(oor).get("value").getAsDouble() > 30.0, "outside 18..30 V");
                StoredEvent high = await(cloud, "alarm.raised", "A101");
                assertEquals(28.0, detail(high).get("limit").getAsDouble());
                board.faults().setOverVoltage(false);
                await(cloud, "alarm.cleared", "A101");
                await(cloud, "alarm.cleared", "A005");

                board.faults().stick("water_pressure");
                StoredEvent stuck = await(cloud, "alarm.raised", "A004");
                assertEquals("water_pressure", detail(stuck).get("channel").getAsString());
                board.faults().unstickAll();
                await(cloud, "alarm.cleared", "A004");

                board.setSilent(true);
                StoredEvent silent = await(cloud, "alarm.raised", "A010");
                assertTrue(silent.message().contains("No communication with the main board"), silent.message());
                board.setSilent(false);
                await(cloud, "alarm.cleared", "A010");

                JsonObject list = commander.call("alarms.list", new JsonObject(), WAIT).getAsJsonObject("result");
                assertTrue(list.getAsJsonArray("alarms").size() >= 6, "cleared but not yet acknowledged: " + list);
                JsonObject args = new JsonObject();
                args.addProperty("all", true);
                args.addProperty("by", "technician Petrova");
                JsonObject acked = commander.call("alarms.ack", args, WAIT).getAsJsonObject("result");
                assertTrue(acked.getAsJsonArray("acknowledged").size() >= 6, acked.toString());
                assertEquals(0, acked.getAsJsonArray("open").size(), "cleared and acknowledged: closed");
                StoredEvent ack = await(cloud, "alarm.acknowledged", "A004");
                assertEquals("technician Petrova", detail(ack).get("ackBy").getAsString());

                JsonObject diag = commander.call("diagnostics.get", new JsonObject(), WAIT).getAsJsonObject("result");
                assertEquals(0, diag.getAsJsonArray("openAlarms").size());
                assertTrue(diag.getAsJsonObject("usage").getAsJsonObject("operating").has("seconds"));
                assertFalse(agent.diagnostics().openAlarmsJson().getAsJsonArray().size() > 0);
            }
        }
    }

    @Test
    void a_silent_modbus_board_gives_stale_readings_and_raises_lost_communication() throws Exception {
        RegisterMap map = RegisterMapLoader.loadDefault();
        MapRegisterBank bank = new MapRegisterBank(map);
        Map.of("supply_voltage", 24.1, "motor1_current", 0.0, "motor2_current", 0.0, "main_air_pressure", 5.75,
                "turbine_air_pressure", 0.0, "water_pressure", 2.2, "water_temperature", 36.9, "suction_vacuum", -0.2,
                "board_temperature", 41.5).forEach(bank::set);
        SerialPipe pipe = new SerialPipe();
        SerialSettings line = SerialSettings.of("pipe", 115_200);
        ModbusRtuSlave slave = new ModbusRtuSlave(pipe.b(), line, 1, bank, false, 1).start();
        ModbusSensorPort port = new ModbusSensorPort(new ModbusRtuMaster(pipe.a(), line, Duration.ofMillis(30), 1),
                map, 1, 8, Clock.systemUTC(), () -> { });
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-events", Topics.ROOT + "/+/events");
             Agent agent = Agent.start(config(broker.uri()), port, Clock.systemUTC())) {
            Await.until("readings from the board", WAIT, () -> agent.status().samples() > 10);
            slave.faults().setSilent(true);
            StoredEvent silent = await(cloud, "alarm.raised", "A010");
            assertEquals("", detail(silent).get("channel").getAsString(), "about the board as a whole");
            slave.faults().setSilent(false);
            await(cloud, "alarm.cleared", "A010");
        } finally {
            slave.close();
        }
    }
}
