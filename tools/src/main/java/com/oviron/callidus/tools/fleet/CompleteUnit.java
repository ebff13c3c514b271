package com.oviron.callidus.tools.fleet;

import com.oviron.callidus.agent.Agent;
import com.oviron.callidus.agent.AgentConfig;
import com.oviron.callidus.agent.AgentConfigLoader;
import com.oviron.callidus.agent.AgentStatus;
import com.oviron.callidus.agent.AgentThreads;
import com.oviron.callidus.agent.ConfigException;
import com.oviron.callidus.hal.sim.SimulatedCallidusBoard;
import com.oviron.callidus.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * A complete agent in the fleet's JVM: the simulated CALLIDUS board inside the agent (real sampler at the
 * configured rate), its own SQLite store and state databases in its folder, its own Paho session; the
 * configuration is a file read by the agent's own loader, with the defaults of a unit except the broker, the
 * device id and the board's seed. Its components' executors are shared with the other units
 * ({@link AgentThreads}): what it does is unchanged.
 */
final class CompleteUnit implements FleetUnit {
    private final String id;
    private final Agent agent;

    private CompleteUnit(String id, Agent agent) {
        this.id = id;
        this.agent = agent;
    }

    /**
     * Writes {@code <folder>/agent.json} and starts the agent.
     *
     * @param mqttJson the {@code mqtt} section's keys besides the device (broker, reconnect waits...)
     */
    static CompleteUnit start(String id, Path folder, long seed, java.time.Duration samplePeriod, String schedule,
                              String mqttJson,
                              String extraSections, AgentThreads threads)
            throws IOException, ConfigException, StoreException {
        Files.createDirectories(folder);
        Path file = folder.resolve("agent.json");
        Files.writeString(file, config(id, seed, samplePeriod, schedule, mqttJson, extraSections));
        AgentConfig config = AgentConfigLoader.load(file);
        Clock clock = Clock.systemUTC();
        Agent agent = Agent.start(config, Agent.simulatedBoard(config, clock, seed), clock, threads);
        return new CompleteUnit(id, agent);
    }

    static String config(String id, long seed, java.time.Duration samplePeriod, String schedule, String mqttJson,
                         String extraSections) {
        return """
                {"device": {"id": "%s"},
                 "hal": {"source": "simulator", "seed": %d, "samplePeriod": "%dms", "simulatorSchedule": "%s"},
                 "store": {"path": "agent.db"},
                 "mqtt": {%s},
                 "log": {"level": "warn"}%s}
                """.formatted(id, seed, samplePeriod.toMillis(), schedule, mqttJson,
                extraSections.isEmpty() ? "" : ",\n " + extraSections);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean connected() {
        return agent.isConnected();
    }

    @Override
    public long connectAttempts() {
        return agent.linkStats().connectAttempts();
    }

    @Override
    public Progress progress() {
        AgentStatus s = agent.status();
        return new Progress(s.lastSeq(), s.acknowledgedSeq(), s.batchesPublished());
    }

    AgentStatus status() {
        return agent.status();
    }

    @Override
    public void close() {
        agent.close();
    }

    /** The agent's store and state files. */
    static List<String> files() {
        return List.of("agent.db", "commands.db", "transfers.db");
    }
}
