package com.oviron.callidus.agent.update;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * Carries one update from "a package file is on disk" to "the agent restarts into it": verify, wait for the
 * install gate, install into the inactive slot, switch, restart. Every step is reported to the
 * {@link UpdateStatusListener}. One update at a time; all work runs on the given single-thread executor
 * (the "update" thread), so the command thread only starts it.
 */
public final class UpdateService implements AutoCloseable {
    /** Thrown by {@link #install} while another update is under way. */
    public static final class BusyException extends Exception {
        BusyException(String message) {
            super(message);
        }
    }

    private enum Phase { VERIFYING, WAITING, INSTALLING, INSTALLED, SWITCHING }

    private final class Job {
        final Path file;
        volatile boolean cancelled;
        Phase phase = Phase.VERIFYING;
        VerifiedPackage pkg;
        String waitingFor;

        Job(Path file) {
            this.file = file;
        }

        Optional<String> version() {
            return pkg == null ? Optional.empty() : Optional.of(pkg.manifest().version().toString());
        }
    }

    private final SlotManager slots;
    private final UpdatePackageVerifier verifier;
    private final InstallGate gate;
    private final UpdateStatusListener listener;
    private final ProcessRestarter restarter;
    private final ScheduledExecutorService executor;
    private final Clock clock;
    private final Duration recheck;
    private Job job; // guarded by this
    private volatile UpdateStatus lastStatus;

    /**
     * @param executor single-threaded, owned by the caller (shut it down after {@link #close})
     * @param recheck  how often a waiting update asks the gate again
     */
    public UpdateService(SlotManager slots, UpdatePackageVerifier verifier, InstallGate gate,
                         UpdateStatusListener listener, ProcessRestarter restarter, ScheduledExecutorService executor,
                         Clock clock, Duration recheck) {
        this.slots = Objects.requireNonNull(slots, "slots");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.restarter = Objects.requireNonNull(restarter, "restarter");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.recheck = Objects.requireNonNull(recheck, "recheck");
    }

    /** The verifier the agent uses for this unit: pinned keys, hardware id, installed release from the slots. */
    public static UpdatePackageVerifier verifierFor(UpdateSettings settings, SlotManager slots,
                                                    java.util.function.BooleanSupplier updatesAllowed) {
        return new UpdatePackageVerifier(PinnedKeys.of(settings.signingKeys()), Optional.of(settings.hardwareId()),
                slots::installed, updatesAllowed, slots::availableBytes, settings.maxPayloadBytes());
    }

    /**
     * Starts updating from {@code packageFile}; returns at once, the steps follow on the update thread.
     *
     * @throws BusyException while another update is under way
     */
    public synchronized void install(Path packageFile) throws BusyException {
        Objects.requireNonNull(packageFile, "packageFile");
        if (job != null) {
            throw new BusyException("an update is already " + job.phase.name().toLowerCase(java.util.Locale.ROOT));
        }
        if (slots.state().trial().isPresent()) {
            throw new BusyException("a new version is on trial; wait until it is committed or rolled back");
        }
        Job j = new Job(packageFile);
        job = j;
        report(j, UpdateStep.RECEIVED, Optional.empty(), packageFile.getFileName().toString());
        executor.execute(() -> verify(j));
    }

    /**
     * Cancels the update if it has not begun to switch.
     *
     * @return true if cancelled; false if there is nothing to cancel
     * @throws IllegalStateException when the switch has begun (too late)
     */
    public synchronized boolean cancel() {
        if (job == null) {
            return false;
        }
        if (job.phase == Phase.SWITCHING) {
            throw new IllegalStateException("the switch to the new version has begun; it cannot be cancelled");
        }
        job.cancelled = true;
        executor.execute(() -> finishCancelled(job));
        return true;
    }

    /** The last step reported, if any. */
    public Optional<UpdateStatus> lastStatus() {
        return Optional.ofNullable(lastStatus);
    }

    /** Whether an update is under way. */
    public synchronized boolean busy() {
        return job != null;
    }

    private void verify(Job j) {
        if (j.cancelled) {
            return;
        }
        report(j, UpdateStep.VERIFYING, Optional.empty(), "checking signature, manifest and hashes");
        try {
            j.pkg = verifier.verify(j.file);
        } catch (PackageRejectedException e) {
            reject(j, e);
            return;
        }
        Logger.info("update package verified version={} securityVersion={} keyId={} files={}",
                j.pkg.manifest().version(), j.pkg.manifest().securityVersion(), j.pkg.keyId(),
                j.pkg.manifest().files().size());
        proceed(j);
    }

    /** Installs or switches when the gate is open; otherwise reports waiting and asks again later. */
    private void proceed(Job j) {
        if (j.cancelled) {
            return;
        }
        Optional<String> waitingFor = gate.waitingFor();
        if (waitingFor.isPresent()) {
            if (!waitingFor.get().equals(j.waitingFor)) {
                j.waitingFor = waitingFor.get();
                setPhase(j, j.phase == Phase.INSTALLED ? Phase.INSTALLED : Phase.WAITING);
                report(j, UpdateStep.WAITING, waitingFor, waitingFor.get().equals(InstallGate.TREATMENT)
                        ? "waiting: treatment in progress"
                        : "waiting: maintenance window " + gate.window() + " " + gate.zone());
            }
            executor.schedule(() -> proceed(j), recheck.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        j.waitingFor = null;
        if (j.phase == Phase.INSTALLED) {
            switchAndRestart(j);
        } else {
            installFiles(j);
        }
    }

    private void installFiles(Job j) {
        setPhase(j, Phase.INSTALLING);
        report(j, UpdateStep.INSTALLING, Optional.empty(), "checking the package again");
        try {
            // time has passed while waiting: the token may have expired, the file may have changed
            j.pkg = verifier.verify(j.file);
            slots.install(j.pkg, (f, i, n) -> report(j, UpdateStep.INSTALLING, Optional.empty(),
                    "file " + i + "/" + n + " " + f.path()), () -> j.cancelled);
        } catch (PackageRejectedException e) {
            reject(j, e);
            return;
        } catch (InterruptedException e) {
            return; // cancelled: finishCancelled reports it
        }
        setPhase(j, Phase.INSTALLED);
        // a treatment may have begun during the install: switching restarts the agent, so ask the gate again
        proceed(j);
    }

    private void switchAndRestart(Job j) {
        synchronized (this) {
            if (j.cancelled) {
                return;
            }
            j.phase = Phase.SWITCHING;
        }
        report(j, UpdateStep.SWITCHING, Optional.empty(), "slot " + slots.state().inactiveSlot() + " becomes the trial");
        try {
            slots.beginTrial(j.pkg.manifest(), clock.millis());
        } catch (IOException | RuntimeException e) {
            Logger.error("update switch failed version={} error={}", j.pkg.manifest().version(), e.getMessage());
            fail(j, "io-error", "cannot switch slots: " + e.getMessage());
            return;
        }
        report(j, UpdateStep.RESTARTING, Optional.empty(), "the agent restarts into slot "
                + slots.state().activeSlot());
        restarter.restart("update to " + j.pkg.manifest().version());
    }

    private void reject(Job j, PackageRejectedException e) {
        Logger.warn("update package rejected reason={} message={}", e.reason().code(), e.getMessage());
        Optional<String> version = j.version().or(() -> e.version().map(Version::toString));
        report(version, UpdateStep.REJECTED, Optional.of(e.reason().code()), e.getMessage());
        record(version, e.getMessage());
        done(j);
    }

    private void fail(Job j, String reason, String message) {
        report(j, UpdateStep.FAILED, Optional.of(reason), message);
        record(j.version(), message);
        done(j);
    }

    private void finishCancelled(Job j) {
        synchronized (this) {
            if (job != j) {
                return;
            }
        }
        report(j, UpdateStep.CANCELLED, Optional.empty(), "cancelled by command");
        done(j);
    }

    private void record(Optional<String> version, String message) {
        try {
            slots.recordFailure(Version.parse(version.orElse("0.0.0")), message, clock.millis());
        } catch (IOException e) {
            Logger.warn("cannot record the failed update error={}", e.getMessage());
        }
    }

    private synchronized void setPhase(Job j, Phase phase) {
        j.phase = phase;
    }

    private synchronized void done(Job j) {
        if (job == j) {
            job = null;
        }
    }

    private void report(Job j, UpdateStep step, Optional<String> reason, String detail) {
        report(j.version(), step, reason, detail);
    }

    private void report(Optional<String> version, UpdateStep step, Optional<String> reason, String detail) {
        UpdateStatus s = new UpdateStatus(step, version, reason, detail, clock.millis());
        lastStatus = s;
        try {
            listener.onStatus(s);
        } catch (RuntimeException e) {
            Logger.warn("update status listener failed step={} error={}", step.code(), e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        if (job != null) {
            job.cancelled = true;
        }
    }
}
