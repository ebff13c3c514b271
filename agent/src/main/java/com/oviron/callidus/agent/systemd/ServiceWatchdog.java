package com.oviron.callidus.agent.systemd;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.tinylog.Logger;

/**
 * Tells systemd how the agent is (docs/operations.md, "The service"; ADR 0018): {@code READY=1} once the
 * agent is ready (or once {@code readyWait} has passed, with a status line saying what is missing), then,
 * with a watchdog, {@code WATCHDOG=1} every third of the interval but only while every {@link LivenessCheck}
 * holds, so that systemd kills and restarts an agent that hangs; {@code STOPPING=1} on close.
 *
 * <p>Thread: "systemd-notify" (single, daemon): the readiness polls, the checks and every send.
 */
public final class ServiceWatchdog implements AutoCloseable {
    /** How often readiness is asked until it holds. */
    static final Duration READY_POLL = Duration.ofMillis(250);

    private final SystemdNotify notify;
    private final Optional<Duration> interval;
    private final BooleanSupplier ready;
    private final Duration readyWait;
    private final List<LivenessCheck> checks;
    private final ScheduledExecutorService executor;
    private final long startedNanos = System.nanoTime();
    private volatile ScheduledFuture<?> readyPoll;
    private volatile boolean readySent;
    private List<String> withheld = List.of();
    /** READY=1 went out before the agent was ready (the board had not answered). */
    private volatile boolean readyWithoutBoard;
    private boolean closed;

    ServiceWatchdog(SystemdNotify notify, Optional<Duration> interval, BooleanSupplier ready, Duration readyWait,
                    List<LivenessCheck> checks, ScheduledExecutorService executor) {
        this.notify = notify;
        this.interval = interval;
        this.ready = ready;
        this.readyWait = readyWait;
        this.checks = List.copyOf(checks);
        this.executor = executor;
    }

    /**
     * Starts talking to systemd when the environment names a notify socket; empty otherwise (the agent runs
     * in a terminal, a test, or a unit that is not {@code Type=notify}).
     *
     * @param ready     whether the agent is ready (store open, board answered)
     * @param readyWait after this long, READY=1 is sent anyway, with a status line naming what is missing:
     *                  a unit whose board is unplugged still serves its console and the cloud
     * @param checks    what must hold for each WATCHDOG=1
     */
    public static Optional<ServiceWatchdog> start(NotifyEnvironment env, BooleanSupplier ready, Duration readyWait,
                                                  List<LivenessCheck> checks) {
        if (env.socket().isEmpty()) {
            return Optional.empty();
        }
        SystemdNotify notify;
        try {
            notify = UnixDatagramNotify.open(env.socket().get());
        } catch (IOException | RuntimeException | LinkageError e) {
            Logger.error("systemd notify socket cannot be opened socket={} error={}", env.socket().get(),
                    e.getMessage());
            return Optional.empty();
        }
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "systemd-notify");
            t.setDaemon(true);
            return t;
        });
        ServiceWatchdog watchdog = new ServiceWatchdog(notify, env.watchdogInterval(), ready, readyWait, checks,
                executor);
        watchdog.start();
        return Optional.of(watchdog);
    }

    /** How often the checks run and WATCHDOG=1 may go out: a third of the interval (sd_watchdog_enabled(3)). */
    static Duration beatPeriod(Duration interval) {
        return Duration.ofMillis(Math.max(100, interval.toMillis() / 3));
    }

    void start() {
        Logger.info("systemd notify on watchdogMs={}", interval.map(Duration::toMillis).map(String::valueOf)
                .orElse("off"));
        readyPoll = executor.scheduleWithFixedDelay(this::pollReady, 0, READY_POLL.toMillis(), TimeUnit.MILLISECONDS);
        if (readySent) {
            // the first poll may have run before readyPoll was set
            readyPoll.cancel(false);
        }
    }

    private void pollReady() {
        if (readySent) {
            return;
        }
        boolean isReady;
        try {
            isReady = ready.getAsBoolean();
        } catch (RuntimeException e) {
            isReady = false;
        }
        boolean waitedEnough = System.nanoTime() - startedNanos >= readyWait.toNanos();
        if (!isReady && !waitedEnough) {
            return;
        }
        readySent = true;
        ScheduledFuture<?> poll = readyPoll;
        if (poll != null) {
            poll.cancel(false);
        }
        if (isReady) {
            boolean sent = notify.send("READY=1\nSTATUS=running");
            Logger.info("service ready notified={}", sent);
        } else {
            readyWithoutBoard = true;
            boolean sent = notify.send("READY=1\nSTATUS=running; the board has not answered yet");
            Logger.warn("service ready without an answer from the board waitedMs={} notified={}",
                    readyWait.toMillis(), sent);
        }
        interval.ifPresent(i -> executor.scheduleWithFixedDelay(this::beat, 0, beatPeriod(i).toMillis(),
                TimeUnit.MILLISECONDS));
    }

    /** Runs the checks; WATCHDOG=1 only when none has a problem. */
    void beat() {
        List<String> problems = new ArrayList<>();
        for (LivenessCheck check : checks) {
            try {
                check.problem().ifPresent(problems::add);
            } catch (RuntimeException e) {
                problems.add("check failed: " + e);
            }
        }
        if (problems.isEmpty()) {
            if (readyWithoutBoard && isReady()) {
                readyWithoutBoard = false;
                Logger.info("service fully ready: the board answered");
                notify.send("WATCHDOG=1\nSTATUS=running");
            } else if (!withheld.isEmpty()) {
                withheld = List.of();
                Logger.info("watchdog fed again");
                notify.send("WATCHDOG=1\nSTATUS=running");
            } else {
                notify.send("WATCHDOG=1");
            }
            return;
        }
        if (!problems.equals(withheld)) {
            withheld = List.copyOf(problems);
            // systemd kills the agent one interval after the last WATCHDOG=1 unless this clears before
            Logger.error("watchdog withheld problems={}", String.join("; ", problems));
            notify.send("STATUS=unhealthy: " + String.join("; ", problems));
        }
    }

    private boolean isReady() {
        try {
            return ready.getAsBoolean();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        notify.send("STOPPING=1\nSTATUS=stopping");
        notify.close();
    }
}
