package com.oviron.callidus.agent.diagnostics;

import com.google.gson.JsonObject;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.StoreStats;
import com.oviron.callidus.store.TelemetryOutbox;
import com.oviron.callidus.store.diagnostics.AlarmRecord;
import com.oviron.callidus.store.diagnostics.DiagnosticsStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.tinylog.Logger;

/**
 * The heartbeat event ({@code heartbeat}, severity {@code audit}), once per interval (default daily, counted
 * from the last one sent, across restarts): buffer depth and drops, reconnects, heap, disk headroom, CPU, the
 * last restart's reason and the open alarms by code. It also remembers in the diagnostics store whether the
 * agent stopped cleanly, which is how the next start knows the restart reason.
 */
public final class Heartbeat {
    static final String LAST_SENT = "heartbeat.lastSent";
    static final String RUN_STATE = "run.state";
    static final String RUNNING = "running";

    private final DiagnosticsStore store;
    private final TelemetryOutbox outbox;
    private final Path stateFolder;
    private final LongSupplier reconnects;
    private final LongSupplier droppedInMemory;
    private final Supplier<List<AlarmRecord>> openAlarms;
    private final Duration interval;
    private final Clock clock;
    private final long startedAt;
    private String lastRestartReason = "unknown";

    public Heartbeat(DiagnosticsStore store, TelemetryOutbox outbox, Path stateFolder, LongSupplier reconnects,
                     LongSupplier droppedInMemory, Supplier<List<AlarmRecord>> openAlarms, Duration interval,
                     Clock clock) {
        this.store = store;
        this.outbox = outbox;
        this.stateFolder = stateFolder;
        this.reconnects = reconnects;
        this.droppedInMemory = droppedInMemory;
        this.openAlarms = openAlarms;
        this.interval = interval;
        this.clock = clock;
        this.startedAt = clock.millis();
    }

    /** At start: reads how the previous run ended and marks this one as running. */
    public void started() {
        try {
            Optional<String> before = store.meta(RUN_STATE);
            lastRestartReason = before.isEmpty() ? "first start"
                    : before.get().equals(RUNNING) ? "unexpected: the agent did not stop cleanly (power cut, crash or"
                    + " kill)" : before.get();
            store.putMeta(RUN_STATE, RUNNING);
            Logger.info("agent start reason={}", lastRestartReason);
        } catch (StoreException e) {
            Logger.warn("run state not read error={}", e.getMessage());
        }
    }

    /** At a clean stop. */
    public void stopped(String reason) {
        try {
            store.putMeta(RUN_STATE, "clean stop (" + reason + ")");
        } catch (StoreException e) {
            Logger.warn("run state not written error={}", e.getMessage());
        }
    }

    public String lastRestartReason() {
        return lastRestartReason;
    }

    /** Sends the heartbeat when the interval has passed since the last one; called every minute or so. */
    public void check() {
        long now = clock.millis();
        try {
            long last = store.meta(LAST_SENT).map(Long::parseLong).orElse(Long.MIN_VALUE);
            if (last != Long.MIN_VALUE && now - last < interval.toMillis() && now >= last) {
                return;
            }
            JsonObject d = detail();
            outbox.appendEvent(now, "heartbeat", "audit", String.format(Locale.ROOT,
                    "heartbeat: %d readings buffered, %d dropped, %d reconnects, %d open alarms, %d MB free",
                    d.get("bufferedReadings").getAsLong(), d.get("droppedReadings").getAsLong(),
                    d.get("reconnects").getAsLong(), d.get("openAlarms").getAsJsonObject().size(),
                    d.get("diskFreeBytes").getAsLong() >> 20), Optional.of(d.toString()));
            store.putMeta(LAST_SENT, Long.toString(now));
            Logger.info("heartbeat recorded");
        } catch (StoreException | NumberFormatException e) {
            Logger.warn("heartbeat not recorded error={}", e.getMessage());
        }
    }

    /** The heartbeat's figures (docs/protocol.md, "heartbeat"). */
    public JsonObject detail() throws StoreException {
        JsonObject d = new JsonObject();
        StoreStats stats = outbox.stats();
        d.addProperty("bufferedReadings", outbox.pendingCount());
        d.addProperty("droppedReadings", stats.droppedReadings());
        d.addProperty("droppedInMemory", droppedInMemory.getAsLong());
        d.addProperty("storeBytes", stats.usedBytes());
        d.addProperty("reconnects", reconnects.getAsLong());
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        d.addProperty("heapUsedBytes", heap.getUsed());
        d.addProperty("heapMaxBytes", heap.getMax());
        try {
            FileStore fs = Files.getFileStore(stateFolder);
            d.addProperty("diskFreeBytes", fs.getUsableSpace());
            d.addProperty("diskTotalBytes", fs.getTotalSpace());
        } catch (IOException e) {
            d.addProperty("diskFreeBytes", -1);
            d.addProperty("diskTotalBytes", -1);
        }
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        d.addProperty("systemLoadAverage", Math.round(os.getSystemLoadAverage() * 100) / 100.0);
        d.addProperty("processors", os.getAvailableProcessors());
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            double cpu = sun.getProcessCpuLoad();
            d.addProperty("processCpuLoad", cpu < 0 ? -1 : Math.round(cpu * 1000) / 1000.0);
        }
        d.addProperty("uptimeSeconds", (clock.millis() - startedAt) / 1000);
        d.addProperty("lastRestartReason", lastRestartReason);
        Map<String, Integer> byCode = new TreeMap<>();
        for (AlarmRecord a : openAlarms.get()) {
            byCode.merge(a.code(), 1, Integer::sum);
        }
        JsonObject alarms = new JsonObject();
        byCode.forEach(alarms::addProperty);
        d.add("openAlarms", alarms);
        return d;
    }
}
