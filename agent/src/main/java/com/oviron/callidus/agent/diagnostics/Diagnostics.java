package com.oviron.callidus.agent.diagnostics;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.oviron.callidus.agent.alarms.AlarmBook;
import com.oviron.callidus.agent.alarms.AlarmCommands;
import com.oviron.callidus.agent.alarms.AlarmEngine;
import com.oviron.callidus.agent.alarms.AlarmJson;
import com.oviron.callidus.agent.alarms.AlarmRule;
import com.oviron.callidus.agent.report.Aggregator;
import com.oviron.callidus.agent.report.ReportBuilder;
import com.oviron.callidus.agent.report.ReportCommands;
import com.oviron.callidus.agent.report.ReportFiles;
import com.oviron.callidus.agent.selftest.SelfTest;
import com.oviron.callidus.agent.selftest.SelfTestCommands;
import com.oviron.callidus.agent.selftest.UnitKey;
import com.oviron.callidus.agent.usage.UsageCounters;
import com.oviron.callidus.cloud.ConnectionListener;
import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.hal.Channel;
import com.oviron.callidus.hal.GpioLine;
import com.oviron.callidus.hal.GpioPort;
import com.oviron.callidus.hal.HalException;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.TelemetryOutbox;
import com.oviron.callidus.store.diagnostics.AggregateRow;
import com.oviron.callidus.store.diagnostics.AlarmRecord;
import com.oviron.callidus.store.diagnostics.DiagnosticsStore;
import com.oviron.callidus.store.diagnostics.SqliteDiagnosticsStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.tinylog.Logger;

/**
 * Service diagnostics, wired from {@link DiagnosticsSettings}: alarm rules and their lifecycle
 * ({@link AlarmEngine}, {@link AlarmBook}), usage counters ({@link UsageCounters}), per-minute/hour/day
 * aggregates ({@link Aggregator}), period reports ({@link ReportCommands}), the signed self-test
 * ({@link SelfTestCommands}) and the heartbeat ({@link Heartbeat}), all kept in {@code diagnostics.db}.
 *
 * <p>Thread: "diagnostics" owns the engine, the counters and the aggregator; the sampler and the GPIO listener
 * only post to it (the sampler's cycles are taken in together every {@link #CYCLES_EVERY}). Commands read the
 * book and the store (both thread-safe).
 */
public final class Diagnostics implements AutoCloseable {
    /** How long a sample cycle waits at most before the diagnostics thread takes it in ({@link SampleCycles}). */
    static final Duration CYCLES_EVERY = Duration.ofMillis(250);

    /**
     * What diagnostics needs of the running agent.
     *
     * @param device           the unit's serial
     * @param agentVersion     the agent's version
     * @param portChannels     the sensor port's channels
     * @param outbox           the telemetry outbox (its events stream)
     * @param outboxCheck      the outbox's quick check ("ok" when sound)
     * @param gpio             the GPIO port, when open
     * @param gpioConfigured   whether the configuration names GPIO lines
     * @param gpioTreatment    whether the GPIO treatment inputs say a treatment is going on
     * @param link             the broker connection
     * @param newest           the newest reading of each channel
     * @param droppedInMemory  readings lost in memory
     * @param clockProblem     why the clock is not trusted, if it is not (from the subscription's trusted time)
     * @param stateFolder      the store's folder
     * @param clock            the agent's clock
     */
    public record Parts(String device, String agentVersion, List<Channel> portChannels, TelemetryOutbox outbox,
                        Supplier<String> outboxCheck, Optional<GpioPort> gpio, boolean gpioConfigured,
                        BooleanSupplier gpioTreatment, MqttConnection link, Supplier<List<Reading>> newest,
                        LongSupplier droppedInMemory, Supplier<Optional<String>> clockProblem, Path stateFolder,
                        Clock clock) {
    }

    private final DiagnosticsSettings settings;
    private final Parts parts;
    private final DiagnosticsStore store;
    private final List<ChannelInfo> channels;
    private final List<AlarmRule> rules;
    private final ErrorCatalog catalog = ErrorCatalog.shipped();
    private final AlarmBook book;
    private final AlarmEngine engine;
    private final UsageCounters usage;
    private final Aggregator aggregator;
    private final Heartbeat heartbeat;
    private final ReportCommands reports;
    private final ReportFiles reportFiles;
    private final SelfTestCommands selftest;
    private final UnitKey unitKey;
    private final ScheduledExecutorService thread;
    private final SampleCycles cycles;
    private final RateLimitedLog failures;
    private final AtomicLong connects = new AtomicLong();
    private volatile Instant lastHeard;
    private boolean closed;

    private Diagnostics(DiagnosticsSettings settings, Parts parts, DiagnosticsStore store, UnitKey unitKey) {
        this.settings = settings;
        this.parts = parts;
        this.store = store;
        this.unitKey = unitKey;
        Clock clock = parts.clock();
        Map<String, ChannelInfo> known = new HashMap<>();
        settings.channels().forEach(c -> known.put(c.id(), c));
        List<ChannelInfo> cs = new ArrayList<>();
        for (Channel c : parts.portChannels()) {
            ChannelInfo info = known.get(c.id());
            cs.add(info != null ? info : new ChannelInfo(c.id(), c.name(), c.unit(), -Double.MAX_VALUE,
                    Double.MAX_VALUE));
        }
        this.channels = List.copyOf(cs);
        Set<String> ids = cs.stream().map(ChannelInfo::id).collect(Collectors.toSet());
        this.rules = settings.rules().stream().filter(r -> r instanceof AlarmRule.BoardSilent
                || r instanceof AlarmRule.GpioInput || ids.contains(r.subject())).toList();
        this.failures = new RateLimitedLog(clock, Duration.ofMinutes(10));
        this.book = new AlarmBook(store, parts.outbox(), catalog, channels, clock);
        this.engine = new AlarmEngine(rules, book);
        this.usage = new UsageCounters(settings.usage(), store, parts.gpioTreatment(), clock);
        this.aggregator = new Aggregator(channels);
        this.heartbeat = new Heartbeat(store, parts.outbox(), parts.stateFolder(), connects::get,
                parts.droppedInMemory(), book::open, settings.heartbeatInterval(), clock);
        this.reportFiles = new ReportFiles(parts.stateFolder().resolve("reports"), settings.exportFolder());
        this.reports = new ReportCommands(new ReportBuilder(store, settings.retention(), parts.device(),
                parts.agentVersion(), catalog.version()), channels, catalog, settings.usage(), reportFiles,
                parts.device(), clock);
        this.selftest = new SelfTestCommands(new SelfTest(channels, settings.minFreeBytes(), clock),
                new SelfTestFacts(parts, store, book, () -> lastHeard), unitKey,
                parts.outbox(), store, catalog, parts.device(), parts.agentVersion(), clock);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "diagnostics");
            t.setDaemon(true);
            return t;
        });
        this.cycles = new SampleCycles(thread, CYCLES_EVERY, this::takeIn);
        reports.setRunningMinutes(this::runningMinutes);
    }

    /** The aggregator's running minutes, read on its own thread (empty if it does not answer in 5 s). */
    private List<AggregateRow> runningMinutes() {
        try {
            return thread.submit(() -> {
                cycles.takeIn();
                return aggregator.running();
            }).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                 | RejectedExecutionException e) {
            return List.of();
        }
    }

    /** Opens {@code diagnostics.db} and the unit key; {@link #start()} begins the work. */
    public static Diagnostics open(DiagnosticsSettings settings, Parts parts) throws StoreException, IOException {
        DiagnosticsStore store = SqliteDiagnosticsStore.open(settings.file(), parts.clock());
        try {
            return new Diagnostics(settings, parts, store, UnitKey.loadOrCreate(parts.stateFolder()));
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** Registers {@code alarms.*}, {@code catalog.get}, {@code report.get} and {@code selftest*}. */
    public void registerOn(CommandChannel commands) {
        new AlarmCommands(book, catalog, channels).registerOn(commands);
        new CatalogCommand(catalog).registerOn(commands);
        reports.registerOn(commands);
        selftest.registerOn(commands);
    }

    /** Sends report pages to the cloud (the cloud services' file transfer). */
    public void setUploader(ReportCommands.Uploader uploader) {
        reports.setUploader(uploader);
    }

    /** Where report pages are kept, for resuming their uploads after a restart. */
    public ReportFiles reportFiles() {
        return reportFiles;
    }

    public UnitKey unitKey() {
        return unitKey;
    }

    /** Restores open alarms, reads the GPIO inputs, and schedules the periodic work. */
    public void start() {
        heartbeat.started();
        engine.restoreActive(book.restore(rules.stream().map(AlarmRule::id).collect(Collectors.toSet())));
        usage.logSources();
        Logger.info("diagnostics started rules={} channels={} unitKey={} file={}", rules.size(), channels.size(),
                unitKey.keyId(), settings.file());
        parts.gpio().ifPresent(g -> {
            post(() -> {
                Instant now = parts.clock().instant();
                for (GpioLine l : g.lines()) {
                    if (l.isInput()) {
                        try {
                            boolean active = g.isActive(l.name());
                            usage.gpioState(l.name(), active);
                            engine.gpioState(l.name(), active, now);
                        } catch (RuntimeException e) {
                            Logger.warn("gpio input not read name={} error={}", l.name(), e.getMessage());
                        }
                    }
                }
            });
            g.addListener((line, active, at) -> post(() -> {
                usage.onGpio(line, active, at);
                engine.onGpio(line, active, at);
            }));
        });
        parts.link().addListener(new ConnectionListener() {
            @Override
            public void connected() {
                connects.incrementAndGet();
            }

            @Override
            public void disconnected(String reason) {
                // counted at the next connect
            }
        });
        long flush = settings.flushInterval().toMillis();
        thread.scheduleWithFixedDelay(() -> afterCycles("flush", () -> usage.flush(parts.clock().instant())), flush,
                flush, TimeUnit.MILLISECONDS);
        long beat = Math.min(60_000, settings.heartbeatInterval().toMillis());
        thread.scheduleWithFixedDelay(() -> afterCycles("heartbeat", heartbeat::check), beat, beat,
                TimeUnit.MILLISECONDS);
        thread.scheduleWithFixedDelay(() -> afterCycles("prune", this::prune), 1, 60, TimeUnit.MINUTES);
        // minutes close on sample cycles; this closes them while the sampler is silent too
        thread.scheduleWithFixedDelay(() -> afterCycles("aggregates", () -> storeMinutes(
                aggregator.closeBefore(parts.clock().millis()))), 5, 5, TimeUnit.SECONDS);
    }

    /**
     * The sampler's tap: one cycle's readings (called on the sampler's thread; returns at once). The cycle is
     * taken in on the diagnostics thread within {@link #CYCLES_EVERY}, with the others that came meanwhile.
     */
    public void onSample(List<Reading> readings) {
        cycles.add(new SampleCycles.Cycle(parts.clock().instant(), readings, false));
    }

    /** The sampler could read nothing this cycle (called on the sampler's thread). */
    public void onFailedCycle(HalException e) {
        cycles.add(new SampleCycles.Cycle(parts.clock().instant(), List.of(), true));
    }

    /**
     * One cycle, on the diagnostics thread; a failure is logged and the next cycle goes on (no lambda per cycle:
     * C1, the unit's only compiler, allocates each through a call into the VM).
     */
    private void takeIn(SampleCycles.Cycle c) {
        try {
            onCycle(c);
        } catch (RuntimeException e) {
            Logger.error(e, "diagnostics work failed");
        }
    }

    private void onCycle(SampleCycles.Cycle c) {
        Instant at = c.at();
        if (c.failed()) {
            usage.onFailedCycle(at);
            engine.onFailedCycle(at);
            return;
        }
        for (Reading r : c.readings()) {
            if (AlarmEngineFacts.fresh(r)) {
                lastHeard = r.timestamp();
            }
        }
        usage.onCycle(at, c.readings());
        engine.onCycle(at, c.readings(), usage.inTreatment());
        aggregator.add(c.readings());
        storeMinutes(aggregator.closeBefore(at.toEpochMilli()));
    }

    private void storeMinutes(List<AggregateRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        try {
            store.addMinutes(rows);
        } catch (StoreException e) {
            failures.warn("aggregates not stored", "rows=" + rows.size() + " error=" + e.getMessage());
        }
    }

    private void prune() {
        try {
            int removed = store.prune(parts.clock().millis(), settings.retention());
            if (removed > 0) {
                Logger.info("diagnostics pruned rows={}", removed);
            }
        } catch (StoreException e) {
            failures.warn("diagnostics not pruned", "error=" + e.getMessage());
        }
    }

    private void post(Runnable work) {
        try {
            thread.execute(() -> afterCycles("work", work));
        } catch (RejectedExecutionException stopping) {
            // the agent is stopping
        }
    }

    /** Work on the diagnostics thread that comes after the sample cycles handed over before it. */
    private void afterCycles(String what, Runnable work) {
        cycles.takeIn();
        guarded(what, work);
    }

    private void guarded(String what, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            // a periodic task that throws is never run again
            Logger.error(e, "diagnostics {} failed", what);
        }
    }

    /** {@code diagnostics.get}'s {@code openAlarms}: code, text and figures of every open alarm. */
    public JsonElement openAlarmsJson() {
        Map<String, ChannelInfo> byId = new LinkedHashMap<>();
        channels.forEach(c -> byId.put(c.id(), c));
        JsonArray a = new JsonArray();
        for (AlarmRecord x : book.open()) {
            a.add(AlarmJson.of(x, byId.get(x.channel()), catalog.entryOrUnknown(x.code()), "en"));
        }
        return a;
    }

    /** {@code diagnostics.get}'s {@code usage}. */
    public JsonElement usageJson() {
        return usage.json();
    }

    /** {@code diagnostics.get}'s {@code selftest}: the unit key and the last result, if any. */
    public JsonElement selftestJson() {
        JsonObject o = new JsonObject();
        o.add("unitKey", unitKey.json());
        try {
            store.meta(SelfTestCommands.LAST).ifPresent(j -> o.addProperty("lastJws", j));
        } catch (StoreException e) {
            o.addProperty("error", e.getMessage());
        }
        o.addProperty("lastRestartReason", heartbeat.lastRestartReason());
        o.addProperty("catalogVersion", catalog.version());
        return o;
    }

    /**
     * The newest signed self-test result this unit recorded, checked against its own key: the document and the
     * JWS; empty before the first or when the stored one does not verify.
     */
    public Optional<Map.Entry<JsonObject, String>> lastSelfTest() {
        try {
            Optional<String> jws = store.meta(SelfTestCommands.LAST);
            if (jws.isEmpty()) {
                return Optional.empty();
            }
            JsonObject doc = com.oviron.callidus.agent.selftest.SelfTestJws.verify(jws.get(), unitKey.publicKey());
            return Optional.of(Map.entry(doc, jws.get()));
        } catch (StoreException | RuntimeException e) {
            Logger.warn("last self-test not readable error={}", e.getMessage());
            return Optional.empty();
        }
    }

    /** Runs the self-test now (the console and tests call it through the command). */
    public JsonObject runSelfTest() {
        return selftest.run();
    }

    /**
     * Stores what is in memory (the running minute, the counted time), records a clean stop and closes the
     * store. Call after the sampler has stopped and before the outbox closes.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            thread.submit(() -> {
                cycles.takeIn();
                storeMinutes(aggregator.closeAll());
                usage.flush(parts.clock().instant());
                heartbeat.stopped("the agent was stopped");
            }).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                 | RejectedExecutionException e) {
            Logger.warn("diagnostics not flushed at stop error={}", e.getMessage());
        }
        thread.shutdownNow();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }

    /** Freshness as the engine judges it. */
    private static final class AlarmEngineFacts {
        static boolean fresh(Reading r) {
            return (r.quality() == com.oviron.callidus.hal.Quality.GOOD
                    || r.quality() == com.oviron.callidus.hal.Quality.OUT_OF_RANGE) && Double.isFinite(r.value());
        }
    }
}
