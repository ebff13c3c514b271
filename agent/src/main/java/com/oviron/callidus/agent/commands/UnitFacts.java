package com.oviron.callidus.agent.commands;

import com.oviron.callidus.agent.AgentStatus;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.SensorPort;
import com.oviron.callidus.store.StoreSpace;
import com.oviron.callidus.store.TelemetryOutbox;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the unit's commands read about the running agent; the agent fills it in when it wires itself.
 *
 * @param deviceId     the unit's serial
 * @param version      the agent's version
 * @param startedAtMillis when the agent started
 * @param status       the agent's counters now
 * @param newest       the newest reading of each channel
 * @param port         the sensor port (channel list)
 * @param halCounters  the hardware link's counters (read on the sampler's thread by the supplier)
 * @param outbox       the telemetry store
 * @param space        the disk space of the store's folder (free space, the reserve, the full alarm)
 * @param commands     the command channel (its counters)
 * @param registerMap  the register map's name, or "simulator"
 * @param stateFolder  the folder of the agent's state files (free space is reported)
 * @param configSummary the configuration with secrets hidden, for support bundles (made when asked: a
 *                     record's toString costs method-handle spinning that has no place in the start-up)
 */
public record UnitFacts(String deviceId, String version, long startedAtMillis, Supplier<AgentStatus> status,
                        Supplier<List<Reading>> newest, SensorPort port, Supplier<Map<String, Long>> halCounters,
                        TelemetryOutbox outbox, StoreSpace space, CommandChannel commands, String registerMap,
                        Path stateFolder, Supplier<String> configSummary,
                        Supplier<com.oviron.callidus.cloud.LinkStats> link) {
}
