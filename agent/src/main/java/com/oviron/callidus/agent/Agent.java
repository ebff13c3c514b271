package com.oviron.callidus.agent;

import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.cloud.ChannelCatalog;
import com.oviron.callidus.cloud.ConnectionListener;
import com.oviron.callidus.cloud.HealthMessage;
import com.oviron.callidus.cloud.LiveSnapshot;
import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.cloud.GatedMqttConnection;
import com.oviron.callidus.cloud.RateLimitedMqttConnection;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.agent.commands.LiveMode;
import com.oviron.callidus.agent.commands.UnitCommands;
import com.oviron.callidus.agent.commands.UnitFacts;
import com.oviron.callidus.agent.subscription.RetainedTokenListener;
import com.oviron.callidus.agent.subscription.SubscriptionCommands;
import com.oviron.callidus.agent.subscription.SubscriptionService;
import com.oviron.callidus.store.commands.CommandJournal;
import com.oviron.callidus.store.commands.SqliteCommandJournal;
import com.oviron.callidus.cloud.SyncSettings;
import com.oviron.callidus.cloud.TelemetrySync;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.paho.PahoMqttConnection;
import com.oviron.callidus.hal.GpioPort;
import com.oviron.callidus.hal.GpioProvider;
import com.oviron.callidus.hal.HalException;
import com.oviron.callidus.hal.ScheduledSensorPort;
import com.oviron.callidus.hal.SensorPort;
import com.oviron.callidus.hal.TreatmentDetector;
import com.oviron.callidus.hal.pi4j.Pi4jGpioPort;
import com.oviron.callidus.hal.modbus.ModbusRtuMaster;
import com.oviron.callidus.hal.modbus.ModbusSensorPort;
import com.oviron.callidus.hal.serial.JsscSerialLine;
import com.oviron.callidus.hal.serial.ReopeningSerialLine;
import com.oviron.callidus.hal.sim.SimulatedCallidusBoard;
import com.oviron.callidus.hal.sim.SyntheticChannelsPort;
import com.oviron.callidus.store.GroupCommitWriter;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.SpaceStatus;
import com.oviron.callidus.store.StoreSpace;
import com.oviron.callidus.store.StoreStats;
import com.oviron.callidus.store.folders.FolderGuard;
import com.oviron.callidus.store.TelemetryOutbox;
import com.oviron.callidus.store.log.FailureLog;
import com.oviron.callidus.store.sqlite.SqliteTelemetryOutbox;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * The running agent: builds the object graph by hand from the configuration, starts it, and takes it down
 * in the order that loses nothing (stop sampling, write what is in memory, send what is buffered while the
 * drain timeout allows, announce offline, close the store).
 *
 * <p>Threads: "hal-sampler" (sensor port), "store-writer" (group commits), "telemetry-sync" (outbox to broker,
 * health, live data), "commands" (cloud commands, one at a time), "mqtt-link" (inside the connection),
 * "mqtt-rate" (publishes held for the connection-wide rate limit) and Paho's own threads, which only post to
 * "mqtt-link".
 */
public final class Agent implements AutoCloseable {
    private static final Duration SAMPLER_STOP_TIMEOUT = Duration.ofSeconds(10);
    /** Commands waiting for the "commands" thread at most; one more is answered "busy". */
    static final int COMMAND_QUEUE = 64;

    private final AgentConfig config;
    private final SensorPort port;
    private final TelemetryOutbox outbox;
    private final StoreSpace space;
    private final MqttConnection link;
    private final Sampler sampler;
    private final TelemetrySync sync;
    private final ScheduledExecutorService syncExecutor;
    private final Optional<GpioPort> gpio;
    private final Optional<TreatmentDetector> treatment;
    private final Clock clock;
    private final ExecutorService commandExecutor;
    private final CommandChannel commands;
    private final LiveMode live;
    private final GatedMqttConnection gated;
    private final Optional<SubscriptionService> subscription;
    private final UnitCommands unitCommands;
    private final com.oviron.callidus.agent.diagnostics.Diagnostics diagnostics;
    private final AccessServices access;
    private CloudServices cloud;
    private FolderGuard folderGuard;
    private Optional<Updates> updates = Optional.empty();
    private Optional<com.oviron.callidus.agent.console.FieldConsole> console = Optional.empty();
    private final long startedAtMillis;
    private boolean closed;
    private volatile AgentStatus finalStatus;
    /** Failures that repeat per tick (health, live snapshots) are logged once a minute with their count. */
    private final FailureLog failures = new FailureLog();

    private Agent(AgentConfig config, SensorPort port, TelemetryOutbox outbox, StoreSpace space, MqttConnection link,
                  Optional<GpioPort> gpio, Clock clock, CommandJournal journal, AgentThreads threads)
            throws StoreException {
        this.config = config;
        this.clock = clock;
        this.startedAtMillis = clock.millis();
        this.gpio = gpio;
        this.treatment = gpio.filter(g -> !config.gpio().treatmentInputs().isEmpty())
                .map(g -> new TreatmentDetector(g, config.gpio().treatmentInputs(), config.gpio().treatmentHoldOff(),
                        clock));
        this.port = port;
        this.outbox = outbox;
        this.space = space;
        this.link = link;
        GroupCommitWriter writer = new GroupCommitWriter(outbox, config.store().groupCommitReadings(),
                config.store().groupCommitDelay(), config.store().memoryBufferReadings());
        this.sampler = new Sampler(port, writer, threads.single("hal-sampler"), config.hal().samplePeriod());
        this.syncExecutor = threads.single("telemetry-sync");
        this.sync = new TelemetrySync(outbox, link, new Topics(config.device().id()),
                new SyncSettings(config.sync().batchMaxReadings(), config.sync().inFlightWindow(),
                        config.sync().interval(), config.sync().maxPublishesPerSecond(),
                        config.sync().catchUpMaxReadings(), config.sync().catchUpMaxBytes()), syncExecutor, clock);
        Topics topics = new Topics(config.device().id());
        this.commandExecutor = threads.bounded("commands", COMMAND_QUEUE);
        this.commands = new CommandChannel(link, topics, journal, commandExecutor, clock);
        // the cloud services see the link through the subscription's gate (issue 6)
        this.gated = new GatedMqttConnection(link, this::cloudServicesAllowed);
        this.live = new LiveMode(gated, topics, syncExecutor, clock,
                port.channels().stream().map(com.oviron.callidus.hal.Channel::id)
                        .collect(java.util.stream.Collectors.toSet()), config.hal().samplePeriod());
        sampler.tap(live::onSample);
        live.registerOn(commands);
        this.unitCommands = new UnitCommands(new UnitFacts(config.device().id(), AgentVersion.current(),
                startedAtMillis, this::status, sampler::newest, port, port::diagnostics, outbox, space, commands,
                config.hal().modbus().map(m -> m.map().name()).orElse(config.hal().source()), stateFolder(config),
                config::toString, link::stats), clock, live::active);
        unitCommands.registerOn(commands);
        this.subscription = config.subscription().map(s -> SubscriptionService.open(s, config.device().id(), clock));
        this.diagnostics = DiagnosticsWiring.open(config, port, outbox, link, gpio, treatment, sampler, commands,
                unitCommands, subscription, clock);
        if (subscription.isPresent()) {
            SubscriptionService service = subscription.get();
            SubscriptionCommands.registerOn(commands, service);
            RetainedTokenListener.subscribe(link, topics, service, commandExecutor);
            // a command's issuedAt is not signed: it does not move trusted time (ADR 0014)
            sync.setGate(service::cloudServicesAllowed);
            service.addChangeListener(SubscriptionEvents.logAndRecord(outbox, clock));
            service.addChangeListener(status -> {
                CloudServices services = cloud;
                if (services != null) {
                    syncExecutor.execute(services::recheckGate);
                }
            });
            Logger.info("subscription {}", service.status().toJson());
            // changes (a day passing into the reminder, grace or lapse) are noticed when the status is read
            syncExecutor.scheduleWithFixedDelay(service::status, 1, 1, TimeUnit.MINUTES);
        } else {
            Logger.warn("subscription not checked: the configuration has no subscription section (development only;"
                    + " a unit in a clinic has the vendor's pinned keys)");
        }
        this.access = AccessServices.build(config, outbox, commands, gated, unitCommands, subscription,
                () -> Optional.ofNullable(cloud).map(c -> c::sendServiceRecord), diagnostics, clock);
        access.watchButton(gpio);
    }

    /** The field technician's console, when configured: local commands, subscription notices. */
    private void startConsole() {
        if (config.console().isEmpty()) {
            return;
        }
        com.oviron.callidus.agent.console.FieldConsole c = com.oviron.callidus.agent.console.FieldConsole.open(
                config.console().get(), commands, access.consoleAccess(), () -> subscription.flatMap(s ->
                        com.oviron.callidus.agent.console.SubscriptionNotices.of(s.status())), clock);
        subscription.ifPresent(s -> s.addChangeListener(status ->
                com.oviron.callidus.agent.console.SubscriptionNotices.of(status).ifPresent(c::notice)));
        access.tell(c);
        c.start();
        console = Optional.of(c);
        Logger.info("field console on device={} baud={}", config.console().get().serial().device(),
                config.console().get().serial().baudRate());
    }

    /** Whether the subscription allows cloud services now (always without a subscription section). */
    boolean cloudServicesAllowed() {
        return subscription.map(SubscriptionService::cloudServicesAllowed).orElse(true);
    }

    /** The subscription, when checked. */
    public Optional<SubscriptionService> subscription() {
        return subscription;
    }

    /** The folder of the agent's small state files: the store's folder. */
    static Path stateFolder(AgentConfig config) {
        Path parent = config.store().path().toAbsolutePath().getParent();
        return parent == null ? Path.of(".").toAbsolutePath() : parent;
    }

    /** Builds the agent with the sensor port the configuration names and starts it. */
    public static Agent start(AgentConfig config, Clock clock) throws StoreException {
        SensorPort port = switch (config.hal().source()) {
            case "simulator" -> {
                Logger.warn("hal.source is simulator: the readings are MADE UP (development and tests only, never on"
                        + " a unit) broker={}", config.mqtt().brokerUris());
                yield simulatedBoard(config, clock, config.hal().seed());
            }
            case "modbus" -> modbusPort(config.hal().modbus().orElseThrow(), clock);
            default -> throw new IllegalArgumentException("unknown hal.source " + config.hal().source());
        };
        return start(config, port, clock);
    }

    /**
     * The simulated board ({@code hal.source = "simulator"}): every channel on every sample, or at the register
     * map's periods and deadbands with {@code hal.simulatorSchedule = "register-map"}, as a unit sends; with
     * {@code hal.simulatorExtraChannels}, that many made-up channels more on every sample that has readings.
     */
    public static SensorPort simulatedBoard(AgentConfig config, Clock clock, long seed) {
        SimulatedCallidusBoard board = new SimulatedCallidusBoard(clock, seed);
        SensorPort scheduled = config.hal().simulatorMap()
                .<SensorPort>map(map -> new ScheduledSensorPort(board, ModbusSensorPort.schedule(map), clock))
                .orElse(board);
        int extra = config.hal().simulatorExtraChannels();
        return extra == 0 ? scheduled : new SyntheticChannelsPort(scheduled, extra, seed + 1);
    }

    /** Builds the agent around the given sensor port (a simulator or a test fake) and starts it. */
    public static Agent start(AgentConfig config, SensorPort port, Clock clock) throws StoreException {
        return start(config, port, clock, AgentThreads.own());
    }

    /**
     * Builds the agent around the given sensor port and starts it with its components' executors from
     * {@code threads}: {@link AgentThreads#own()} as on a unit, or shared with other agents in one JVM (the
     * fleet simulator).
     */
    public static Agent start(AgentConfig config, SensorPort port, Clock clock, AgentThreads threads)
            throws StoreException {
        // first of all: an update interrupted by a restart is finished or rolled back, a new version on trial
        // starts its health check
        java.util.concurrent.atomic.AtomicReference<Agent> self = new java.util.concurrent.atomic.AtomicReference<>();
        Optional<Updates> updates;
        try {
            updates = Updates.boot(config.cloud().update(), () -> self.get() != null,
                    () -> self.get() != null && self.get().status().samples() > 0, clock);
        } catch (java.io.IOException e) {
            port.close();
            throw new StoreException("cannot read the update state: " + e.getMessage(), e);
        }
        try {
            Agent agent = startWithoutUpdates(config, port, clock, threads);
            agent.updates = updates;
            updates.ifPresent(u -> u.attach(agent.link, new Topics(config.device().id()), agent.commands,
                    () -> agent.subscription.map(SubscriptionService::updatesAllowed).orElse(false),
                    () -> agent.treatment.map(TreatmentDetector::inProgress).orElse(false),
                    agent.cloud::completedPackage, clock));
            agent.startConsole();
            self.set(agent);
            return agent;
        } catch (StoreException | RuntimeException e) {
            updates.ifPresent(Updates::close);
            throw e;
        }
    }

    private static Agent startWithoutUpdates(AgentConfig config, SensorPort port, Clock clock, AgentThreads threads)
            throws StoreException {
        SqliteTelemetryOutbox outbox = SqliteTelemetryOutbox.open(config.store().path(), config.store().durability(),
                config.store().retention(), config.store().reserveBytes(), clock);
        CommandJournal journal = null;
        try {
            AgentConfig.Mqtt m = config.mqtt();
            Topics topics = new Topics(config.device().id());
            LinkSettings settings = new LinkSettings(m.brokerUris(), config.device().id(), m.keepAlive(),
                    m.connectTimeout(), new Backoff(m.reconnectMin(), m.reconnectMax()), m.username(), m.password(),
                    m.maxInflight(), m.tls(), m.persistentSession(), m.maxIncomingBytes(), m.protocol(),
                    m.sessionExpiry());
            MqttConnection link = new RateLimitedMqttConnection(new PahoMqttConnection(settings, topics.status(),
                    config.device().id(), AgentVersion.current(), clock), m.maxPublishesPerSecond());
            journal = SqliteCommandJournal.open(stateFolder(config).resolve("commands.db"), clock, outbox.space());
            Agent agent = new Agent(config, port, outbox, outbox.space(), link, openGpio(config.gpio()), clock,
                    journal, threads);
            agent.folderGuard = new FolderGuard(folderAlarms(outbox, clock));
            try {
                agent.cloud = CloudServices.build(config, agent.gated, topics, agent.commands, agent.unitCommands,
                        agent.space, clock, agent.folderGuard, threads);
            } catch (java.io.IOException | StoreException | RuntimeException e) {
                agent.folderGuard.close();
                agent.diagnostics.close();
                agent.gpio.ifPresent(GpioPort::close);
                agent.commandExecutor.shutdownNow();
                agent.syncExecutor.shutdownNow();
                agent.access.close();
                throw new StoreException("cannot set up the cloud services: " + e.getMessage(), e);
            }
            agent.diagnostics.setUploader(agent.cloud::sendReport);
            agent.startParts();
            return agent;
        } catch (RuntimeException | StoreException e) {
            if (journal != null) {
                journal.close();
            }
            outbox.close();
            port.close();
            throw e;
        }
    }

    /**
     * Refused entries of the folders other software writes (a link, a FIFO, a planted commit manifest) become
     * alarm events {@code folder.refused} for the cloud, once each (docs/protocol.md, events).
     */
    private static FolderGuard.AlarmSink folderAlarms(TelemetryOutbox outbox, Clock clock) {
        return message -> {
            try {
                outbox.appendEvent(clock.millis(), "folder.refused", "alarm", message);
            } catch (StoreException e) {
                Logger.error("folder refusal not recorded as an event error={}", e.getMessage());
            }
        };
    }

    /**
     * The discrete lines, if configured. A GPIO chip that cannot be opened is logged and left out: the
     * agent's telemetry must not depend on it.
     */
    private static Optional<GpioPort> openGpio(AgentConfig.Gpio g) {
        if (g.provider().equals("none") || g.lines().isEmpty()) {
            return Optional.empty();
        }
        try {
            GpioPort port = new Pi4jGpioPort(g.lines(), g.provider().equals("gpiod") ? GpioProvider.GPIOD
                    : GpioProvider.MOCK);
            port.addListener((input, active, at) -> Logger.info("gpio input changed name={} active={}", input,
                    active));
            return Optional.of(port);
        } catch (HalException e) {
            Logger.error("gpio unavailable, continuing without it provider={} error={}", g.provider(),
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** The board over Modbus RTU; the device is opened on first use and reopened when it comes back. */
    private static SensorPort modbusPort(AgentConfig.Modbus m, Clock clock) {
        ReopeningSerialLine line = new ReopeningSerialLine(m.serial().device(),
                () -> JsscSerialLine.open(m.serial()), m.reopenMin(), m.reopenMax());
        ModbusRtuMaster master = new ModbusRtuMaster(line, m.serial(), m.timeout(), m.retries());
        Logger.info("modbus board device={} baud={} slave={} map={} channels={}", m.serial().device(),
                m.serial().baudRate(), m.slaveId(), m.map().name(), m.map().channels().size());
        return new ModbusSensorPort(master, m.map(), m.slaveId(), m.maxGap(), clock, line);
    }

    private void startParts() throws StoreException {
        Logger.info("agent starting device={} version={} source={} channels={} samplePeriodMs={} store={} brokers={}"
                + " protocol={}", config.device().id(), AgentVersion.current(), config.hal().source(),
                port.channels().size(), config.hal().samplePeriod().toMillis(), config.store().path(),
                config.mqtt().brokerUris(), config.mqtt().protocol());
        Logger.info("store backlog pending={} lastSeq={}", outbox.pendingCount(), outbox.lastSeq());
        publishCatalogOnEveryConnect();
        diagnostics.start();
        publishHealthOnConnectAndPeriodically();
        publishLiveWhileReplaying();
        showLinkOnStatusLed();
        try {
            cloud.start(syncExecutor);
        } catch (java.io.IOException e) {
            throw new StoreException("cannot start the cloud services: " + e.getMessage(), e);
        }
        commands.start();
        sync.start();
        link.start();
        sampler.start();
    }

    private void publishHealthOnConnectAndPeriodically() {
        link.addListener(new ConnectionListener() {
            @Override
            public void connected() {
                syncExecutor.execute(Agent.this::publishHealth);
            }

            @Override
            public void disconnected(String reason) {
                // refreshed on the next connect
            }
        });
        long every = config.sync().healthInterval().toMillis();
        syncExecutor.scheduleWithFixedDelay(this::publishHealth, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * While a backlog is replayed in order (and rate-limited), the newest values go out alongside as a QoS 0
     * snapshot: one just before the replay's first batch (after an outage the cloud gets the present before the
     * past), then one every sync interval, so that the cloud's live view does not wait for the past. A backlog is
     * what the sync calls one ({@link TelemetrySync#replayingBacklog()}): more than a few intervals' worth waits.
     */
    private void publishLiveWhileReplaying() {
        long every = config.sync().interval().toMillis();
        sync.setBeforeReplay(this::publishLiveSnapshot);
        syncExecutor.scheduleWithFixedDelay(() -> {
            if (sync.replayingBacklog()) {
                publishLiveSnapshot();
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    private void publishLiveSnapshot() {
        try {
            if (!link.isConnected() || !cloudServicesAllowed()) {
                return;
            }
            List<LiveSnapshot.Reading> newest = sampler.newest().stream()
                    .map(r -> new LiveSnapshot.Reading(r.channelId(), r.timestamp().toEpochMilli(), r.value(),
                            r.quality().code()))
                    .toList();
            if (!newest.isEmpty()) {
                link.publish(new Topics(config.device().id()).live(),
                        new LiveSnapshot(config.device().id(), clock.millis(), newest).encode(), 0, false);
            }
            failures.cleared("live", "live snapshots published again");
        } catch (RuntimeException e) {
            failures.warn("live." + FailureLog.kindOf(e), "live snapshot not published error={}", e.getMessage());
        }
    }

    /** Runs on the sync's thread: the outbox is thread-safe, the figures are snapshots. */
    private void publishHealth() {
        if (!link.isConnected() || !cloudServicesAllowed()) {
            return;
        }
        try {
            AgentStatus s = status();
            StoreStats store = outbox.stats();
            SpaceStatus disk = space.status();
            HealthMessage health = new HealthMessage(config.device().id(), clock.millis(), s.lastSeq(),
                    s.acknowledgedSeq(), store.droppedReadings(), store.usedBytes(), s.samples(), s.halErrors(),
                    s.treatmentInProgress(), link.stats(), Optional.of(new HealthMessage.Disk(disk.freeBytes(),
                    disk.totalBytes(), disk.reserveBytes(), disk.reserveHeld(), disk.limitBytes(), disk.full())));
            link.publish(new Topics(config.device().id()).health(), health.encode(), 1, true);
            failures.cleared("health", "health published again");
        } catch (StoreException | RuntimeException e) {
            failures.warn("health." + FailureLog.kindOf(e), "health not published error={}", e.getMessage());
        }
    }

    private void showLinkOnStatusLed() {
        if (gpio.isEmpty() || config.gpio().statusLed().isEmpty()) {
            return;
        }
        GpioPort lines = gpio.get();
        String led = config.gpio().statusLed().get();
        link.addListener(new ConnectionListener() {
            // listeners run on the connection's thread and must return at once: the write goes elsewhere
            @Override
            public void connected() {
                syncExecutor.execute(() -> setQuietly(lines, led, true));
            }

            @Override
            public void disconnected(String reason) {
                syncExecutor.execute(() -> setQuietly(lines, led, false));
            }
        });
    }

    private static void setQuietly(GpioPort lines, String output, boolean active) {
        try {
            lines.set(output, active);
        } catch (HalException | IllegalStateException e) {
            Logger.warn("gpio output not set name={} active={} error={}", output, active, e.getMessage());
        }
    }

    private void publishCatalogOnEveryConnect() {
        List<ChannelCatalog.Channel> channels = port.channels().stream()
                .map(c -> new ChannelCatalog.Channel(c.id(), c.name(), c.unit())).toList();
        byte[] catalog = new ChannelCatalog(config.device().id(), channels, java.util.Optional.of(
                new ChannelCatalog.UnitKey(diagnostics.unitKey().keyId(), com.oviron.callidus.agent.subscription
                        .PinnedKeys.rawBase64Url(diagnostics.unitKey().publicKey())))).encode();
        String topic = new Topics(config.device().id()).channels();
        link.addListener(new ConnectionListener() {
            @Override
            public void connected() {
                link.publish(topic, catalog, 1, true).whenComplete((ok, e) -> {
                    if (e != null) {
                        Logger.warn("channel catalog not published error={}", e.getMessage());
                    }
                });
            }

            @Override
            public void disconnected(String reason) {
                // published again on the next connect
            }
        });
    }

    /** A snapshot of the counters; after {@link #close()}, the last one taken before the store closed. */
    public AgentStatus status() {
        AgentStatus last0 = finalStatus;
        if (last0 != null) {
            return last0;
        }
        long last;
        long acked;
        try {
            last = outbox.lastSeq();
            acked = outbox.acknowledgedSeq();
        } catch (StoreException e) {
            last = -1;
            acked = -1;
        }
        TelemetrySync.SyncStats s = sync.stats();
        return new AgentStatus(sampler.samples(), sampler.halErrors(), sampler.bufferedInMemory(),
                sampler.droppedInMemory(), last, acked, link.isConnected(), s.batchesPublished(), s.batchesAcked(),
                s.resends(), treatment.map(TreatmentDetector::inProgress).orElse(false));
    }

    /** Whether the broker session is up now; cheap (no store query), unlike {@link #status()}. */
    public boolean isConnected() {
        return link.isConnected();
    }

    /** What the link counted since start (connect attempts, refusals, repairs): cheap, no store query. */
    public com.oviron.callidus.cloud.LinkStats linkStats() {
        return link.stats();
    }

    /** Sampling cycles so far, with or without an answer from the board: the service watchdog's progress. */
    long samplerCycles() {
        return sampler.samples() + sampler.halErrors();
    }

    /** Runs {@code task} on the telemetry-sync thread every {@code every}: the service watchdog's heartbeat. */
    void everyOnSyncThread(Duration every, Runnable task) {
        syncExecutor.scheduleWithFixedDelay(task, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Service diagnostics: alarms, usage counters, aggregates, reports, the self-test. */
    public com.oviron.callidus.agent.diagnostics.Diagnostics diagnostics() {
        return diagnostics;
    }

    /** The discrete lines, when configured and available. */
    public Optional<GpioPort> gpioPort() {
        return gpio;
    }

    /** The sensor port's channels, for displays. */
    public SensorPort sensorPort() {
        return port;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Logger.info("agent stopping");
        console.ifPresent(com.oviron.callidus.agent.console.FieldConsole::close);
        access.closeRemote();
        try {
            sampler.stopAndFlush(SAMPLER_STOP_TIMEOUT);
            drain(config.shutdown().drainTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            diagnostics.close();
            sync.close();
            commandExecutor.shutdownNow();
            if (cloud != null) {
                cloud.close();
            }
            if (folderGuard != null) {
                folderGuard.close();
            }
            updates.ifPresent(Updates::close);
            link.close();
            syncExecutor.shutdownNow();
            try {
                commandExecutor.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            commands.close();
            access.close();
            try {
                syncExecutor.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            port.close();
            finalStatus = status();
            gpio.ifPresent(GpioPort::close);
            outbox.close();
            Logger.info("agent stopped samples={} lastSeq={} acknowledgedSeq={} pendingInStore={}",
                    finalStatus.samples(), finalStatus.lastSeq(), finalStatus.acknowledgedSeq(),
                    finalStatus.pending());
        }
    }

    /** Keeps the sync running while there is a point ({@link ShutdownDrain}); says how it ended. */
    private void drain(Duration timeout) throws InterruptedException {
        sync.syncSoon();
        ShutdownDrain.Outcome outcome = new ShutdownDrain(link::isConnected, this::safePending,
                sync::acknowledgementFailures, System::nanoTime, () -> Thread.sleep(20)).run(timeout);
        if (outcome == ShutdownDrain.Outcome.ACKNOWLEDGEMENTS_FAILING) {
            Logger.warn("shutdown drain stopped: acknowledgements cannot be recorded in the store pending={}"
                    + " freeBytes={}", safePending(), space.status().freeBytes());
        } else if (outcome == ShutdownDrain.Outcome.TIMED_OUT) {
            Logger.info("shutdown drain timed out, the rest is sent after the next start pending={}", safePending());
        } else if (outcome == ShutdownDrain.Outcome.LINK_DOWN && safePending() > 0) {
            Logger.info("shutdown without a drain: not connected to the broker, the rest is sent after the next start"
                    + " pending={}", safePending());
        }
    }

    private long safePending() {
        try {
            return outbox.pendingCount();
        } catch (StoreException e) {
            return -1;
        }
    }
}
