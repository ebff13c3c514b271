package com.oviron.callidus.agent.update;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * The update part of the agent's start-up, called first thing from {@code Main}: reports the outcome of the
 * last update if the cloud has not heard it (e.g. a rollback done by the launcher), and when this process is a
 * new version on trial, runs its health check: all {@link HealthChecks} pass before the deadline → commit;
 * otherwise → roll back and restart into the committed version. A trial that crashes before this runs is
 * rolled back by the launcher instead.
 */
public final class UpdateBoot implements AutoCloseable {
    /** How often the health checks are asked during a trial. */
    static final Duration POLL = Duration.ofMillis(250);

    private final SlotManager slots;
    private final HealthChecks checks;
    private final UpdateStatusListener listener;
    private final ProcessRestarter restarter;
    private final Clock clock;
    private final long deadlineMillis;
    private volatile boolean trialRunning;
    private volatile ScheduledFuture<?> poll;

    private UpdateBoot(SlotManager slots, HealthChecks checks, UpdateStatusListener listener,
                       ProcessRestarter restarter, Clock clock, long deadlineMillis) {
        this.slots = slots;
        this.checks = checks;
        this.listener = listener;
        this.restarter = restarter;
        this.clock = clock;
        this.deadlineMillis = deadlineMillis;
    }

    /**
     * @param root        the update root ({@link UpdateSettings#root()})
     * @param runningJar  the jar this JVM runs (its real path tells which slot this is)
     * @param factory     the version and security version to record when the root is not set up yet and this
     *                    process runs from one of its slots (a factory install); empty to leave it alone
     * @param executor    single-threaded, owned by the caller; runs the health check polls
     * @return the slot manager for {@link UpdateService}, or empty when this process does not run from the
     *         update root (a development run: updates are then not possible)
     */
    public static Optional<UpdateBoot> start(Path root, Path runningJar, Optional<InstalledRelease> factory,
                                             HealthChecks checks, Duration healthDeadline,
                                             UpdateStatusListener listener, ProcessRestarter restarter,
                                             ScheduledExecutorService executor, Clock clock) throws IOException {
        Objects.requireNonNull(checks, "checks");
        Optional<String> runningSlot = slotOf(root, runningJar);
        if (!SlotManager.isInitialized(root)) {
            if (runningSlot.isEmpty() || factory.isEmpty()) {
                Logger.warn("updates disabled: no update state root={} jar={}", root, runningJar);
                return Optional.empty();
            }
            SlotManager.initialize(root, runningSlot.get(), factory.get().version(),
                    factory.get().securityVersionFloor());
            Logger.info("update slots set up root={} slot={} version={}", root, runningSlot.get(),
                    factory.get().version());
        }
        SlotManager slots = SlotManager.open(root);
        UpdateBoot boot = new UpdateBoot(slots, checks, listener, restarter, clock,
                clock.millis() + healthDeadline.toMillis());
        boot.reportLastResult();
        SlotState s = slots.state();
        if (s.trial().isPresent()) {
            SlotState.Trial t = s.trial().get();
            if (runningSlot.equals(Optional.of(t.slot()))) {
                boot.trialRunning = true;
                boot.report(UpdateStep.HEALTH_CHECK, t.version(), Optional.empty(), "start " + t.attempts()
                        + " of the new version; deadline " + healthDeadline.toSeconds() + " s");
                boot.poll = executor.scheduleWithFixedDelay(boot::check, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                Logger.warn("a trial is pending but this process does not run from its slot trialSlot={} running={}",
                        t.slot(), runningSlot.orElse("elsewhere"));
            }
        } else if (runningSlot.isPresent() && !runningSlot.get().equals(s.committedSlot())) {
            Logger.warn("running from a slot that is not committed running={} committed={}", runningSlot.get(),
                    s.committedSlot());
        }
        return Optional.of(boot);
    }

    /** The slot this jar runs from ("a"/"b"), resolving {@code current} and any other link. */
    static Optional<String> slotOf(Path root, Path runningJar) {
        try {
            Path jarFolder = runningJar.toRealPath().getParent();
            for (String slot : List.of("a", "b")) {
                Path folder = root.resolve("slots").resolve(slot);
                if (Files.isDirectory(folder) && folder.toRealPath().equals(jarFolder)) {
                    return Optional.of(slot);
                }
            }
        } catch (IOException e) {
            Logger.debug("cannot resolve the running jar jar={} error={}", runningJar, e.getMessage());
        }
        return Optional.empty();
    }

    public SlotManager slots() {
        return slots;
    }

    /** Whether this process is a new version whose health check has not ended (commit or rollback written). */
    public boolean trialRunning() {
        return trialRunning;
    }

    private void check() {
        if (!trialRunning) {
            return;
        }
        try {
            List<String> failing = checks.failing();
            SlotState.Trial t = slots.state().trial().orElseThrow();
            if (failing.isEmpty()) {
                stopPolling();
                slots.commit(clock.millis());
                trialRunning = false;
                report(UpdateStep.COMMITTED, t.version(), Optional.empty(), "health check passed; "
                        + t.version() + " is committed");
                slots.markReported();
            } else if (clock.millis() >= deadlineMillis) {
                stopPolling();
                String reason = "health check deadline passed: " + String.join(", ", failing);
                slots.rollback(reason, clock.millis());
                trialRunning = false;
                report(UpdateStep.ROLLED_BACK, t.version(), Optional.of("health-check"), reason);
                slots.markReported();
                restarter.restart("rollback of " + t.version());
            }
        } catch (IOException | RuntimeException e) {
            // the launcher rolls the trial back on the next start: make that start happen
            Logger.error("update health check cannot record its outcome error={}", e.getMessage());
            trialRunning = false;
            stopPolling();
            restarter.restart("update state not writable");
        }
    }

    private void stopPolling() {
        ScheduledFuture<?> p = poll;
        if (p != null) {
            p.cancel(false);
        }
    }

    private void reportLastResult() throws IOException {
        Optional<SlotState.LastResult> last = slots.state().last();
        if (last.isPresent() && !last.get().reported()) {
            SlotState.LastResult r = last.get();
            UpdateStep step = switch (r.outcome()) {
                case "committed" -> UpdateStep.COMMITTED;
                case "rolled-back" -> UpdateStep.ROLLED_BACK;
                default -> UpdateStep.FAILED;
            };
            report(step, r.version(), step == UpdateStep.ROLLED_BACK ? Optional.of("health-check") : Optional.empty(),
                    r.reason());
            slots.markReported();
        }
    }

    private void report(UpdateStep step, Version version, Optional<String> reason, String detail) {
        try {
            listener.onStatus(new UpdateStatus(step, Optional.of(version.toString()), reason, detail, clock.millis()));
        } catch (RuntimeException e) {
            Logger.warn("update status listener failed step={} error={}", step.code(), e.getMessage());
        }
    }

    @Override
    public void close() {
        if (poll != null) {
            stopPolling();
        }
    }
}
