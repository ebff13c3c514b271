package com.oviron.callidus.agent;

import com.oviron.callidus.agent.systemd.LivenessCheck;
import com.oviron.callidus.agent.systemd.NotifyEnvironment;
import com.oviron.callidus.agent.systemd.ServiceWatchdog;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * The agent as a systemd service (docs/operations.md, "The service"): READY=1 once the store is open and the
 * board answered (or {@link #BOARD_WAIT} passed), WATCHDOG=1 only while the sampler makes progress, the
 * telemetry-sync thread runs its heartbeat and no threads are deadlocked.
 */
final class AgentService {
    /** READY=1 goes out this long after the start even if the board has not answered (console, cloud). */
    static final Duration BOARD_WAIT = Duration.ofSeconds(30);
    /** How often the telemetry-sync thread records that it runs. */
    static final Duration SYNC_BEAT = Duration.ofSeconds(1);

    private AgentService() {
    }

    /** Starts notifying systemd when {@code env} names a notify socket (see {@link NotifyEnvironment}). */
    static Optional<ServiceWatchdog> notifySystemd(Agent agent, AgentConfig config, Map<String, String> env) {
        NotifyEnvironment notify = NotifyEnvironment.from(env, ProcessHandle.current().pid());
        if (notify.socket().isEmpty()) {
            return Optional.empty();
        }
        Duration allowance = allowance(notify.watchdogInterval().orElse(Duration.ofMinutes(1)),
                config.hal().samplePeriod());
        AtomicLong syncBeat = new AtomicLong(System.nanoTime());
        agent.everyOnSyncThread(SYNC_BEAT, () -> syncBeat.set(System.nanoTime()));
        List<LivenessCheck> checks = List.of(
                progress("sampler made no progress", agent::samplerCycles, allowance),
                recent("telemetry-sync thread unresponsive", syncBeat::get, allowance),
                AgentService::noDeadlock);
        return ServiceWatchdog.start(notify, () -> agent.status().samples() > 0, BOARD_WAIT, checks);
    }

    /**
     * How long without progress is a problem: half the watchdog interval (systemd kills half an interval after
     * that at the latest), but never less than three sample periods or two heartbeats.
     */
    static Duration allowance(Duration watchdogInterval, Duration samplePeriod) {
        Duration half = watchdogInterval.dividedBy(2);
        Duration minimum = samplePeriod.multipliedBy(3).compareTo(SYNC_BEAT.multipliedBy(2)) > 0
                ? samplePeriod.multipliedBy(3) : SYNC_BEAT.multipliedBy(2);
        return half.compareTo(minimum) > 0 ? half : minimum;
    }

    /** A problem when {@code counter} has not changed for longer than {@code allowance}. */
    static LivenessCheck progress(String problem, LongSupplier counter, Duration allowance) {
        long[] last = {counter.getAsLong(), System.nanoTime()};
        return () -> {
            long now = System.nanoTime();
            long value = counter.getAsLong();
            if (value != last[0]) {
                last[0] = value;
                last[1] = now;
                return Optional.empty();
            }
            long idle = now - last[1];
            return idle > allowance.toNanos() ? Optional.of(problem + " for more than " + allowance.toMillis() + " ms")
                    : Optional.empty();
        };
    }

    /** A problem when the time stamp {@code lastNanos} (System.nanoTime) is older than {@code allowance}. */
    static LivenessCheck recent(String problem, LongSupplier lastNanos, Duration allowance) {
        return () -> {
            long idle = System.nanoTime() - lastNanos.getAsLong();
            return idle > allowance.toNanos() ? Optional.of(problem + " for more than " + allowance.toMillis() + " ms")
                    : Optional.empty();
        };
    }

    private static Optional<String> noDeadlock() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] ids = threads.findDeadlockedThreads();
        if (ids == null || ids.length == 0) {
            return Optional.empty();
        }
        return Optional.of("threads deadlocked: " + Arrays.stream(threads.getThreadInfo(ids))
                .filter(java.util.Objects::nonNull).map(ThreadInfo::getThreadName).collect(Collectors.joining(", ")));
    }
}
