package com.oviron.callidus.agent;

import com.oviron.callidus.agent.update.HealthChecks;
import com.oviron.callidus.agent.update.InstallGate;
import com.oviron.callidus.agent.update.InstalledRelease;
import com.oviron.callidus.agent.update.ProcessRestarter;
import com.oviron.callidus.agent.update.SlotManager;
import com.oviron.callidus.agent.update.UpdateBoot;
import com.oviron.callidus.agent.update.UpdateCommands;
import com.oviron.callidus.agent.update.UpdateService;
import com.oviron.callidus.agent.update.UpdateSettings;
import com.oviron.callidus.agent.update.UpdateStatus;
import com.oviron.callidus.agent.update.Version;
import com.oviron.callidus.cloud.ConnectionListener;
import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.command.CommandException;
import com.oviron.callidus.cloud.command.ErrorCode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.tinylog.Logger;

/**
 * Remote software updates, wired (docs/updates.md): at start-up, before anything else, {@link UpdateBoot}
 * finishes what a restart interrupted and, when this process is a new version on trial, runs its health
 * check (the agent started, the board was read, the broker was reached) and commits or rolls back. Once
 * the agent is up, {@link #attach} adds the update service and its commands, and publishes every step,
 * retained, on {@link Topics#update()}.
 *
 * <p>Thread: "update" (single), shared by the boot and the service.
 */
final class Updates implements AutoCloseable {
    private final UpdateSettings settings;
    private final ScheduledExecutorService thread;
    private final UpdateBoot boot;
    private final AtomicReference<UpdateStatus> last = new AtomicReference<>();
    private final AtomicReference<MqttConnection> link = new AtomicReference<>();
    private final AtomicReference<Topics> topics = new AtomicReference<>();
    /** What the boot reported before this object existed (a rollback's outcome, a trial's health check). */
    private final List<UpdateStatus> fromStartUp = new ArrayList<>();
    private UpdateService service;

    private Updates(UpdateSettings settings, ScheduledExecutorService thread, UpdateBoot boot) {
        this.settings = settings;
        this.thread = thread;
        this.boot = boot;
    }

    /**
     * Starts the update boot when the configuration has an {@code update} section and this process runs from
     * one of its slots; empty otherwise (a development run: updates are off, and the log says why).
     *
     * @param started   whether the agent is up (for the health check)
     * @param boardRead whether the board has been read at least once
     */
    static Optional<Updates> boot(Optional<UpdateSettings> config, BooleanSupplier started, BooleanSupplier boardRead,
                                  Clock clock) throws IOException {
        boolean release = factoryRelease().isPresent();
        if (config.isEmpty()) {
            Logger.info("updates off: the configuration has no update section{}", release ? "" : "; " + developmentBuild());
            return Optional.empty();
        }
        UpdateSettings settings = config.get();
        if (!release && !SlotManager.isInitialized(settings.root())) {
            Logger.warn("updates off: {}", developmentBuild());
            return Optional.empty();
        }
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "update");
            t.setDaemon(true);
            return t;
        });
        AtomicReference<Updates> self = new AtomicReference<>();
        List<UpdateStatus> early = new ArrayList<>();
        AtomicBoolean reached = new AtomicBoolean();
        Optional<UpdateBoot> boot;
        try {
            boot = UpdateBoot.start(settings.root(), runningJar(), factoryRelease(),
                    new HealthChecks(started, boardRead, reached::get), settings.healthDeadline(),
                    status -> {
                        Updates u;
                        synchronized (early) {
                            u = self.get();
                            if (u == null) {
                                // the boot reports before the link exists: sent on the first connect
                                Logger.info("update status step={} detail={}", status.step(), status.detail());
                                early.add(status);
                            }
                        }
                        if (u != null) {
                            u.publish(status);
                        }
                    }, ProcessRestarter.exiting(), thread, clock);
        } catch (IOException | RuntimeException e) {
            thread.shutdownNow();
            throw e;
        }
        if (boot.isEmpty()) {
            thread.shutdownNow();
            Logger.warn("updates off: the agent does not run from a slot under update.root={}", settings.root());
            return Optional.empty();
        }
        Updates updates = new Updates(settings, thread, boot.get());
        updates.brokerReachedFlag(reached);
        synchronized (early) {
            updates.fromStartUp.addAll(early);
            self.set(updates);
        }
        return Optional.of(updates);
    }

    private AtomicBoolean reachedFlag;

    private void brokerReachedFlag(AtomicBoolean flag) {
        this.reachedFlag = flag;
    }

    /** Adds the update service and its commands once the agent's parts exist. */
    void attach(MqttConnection link, Topics topics, CommandChannel commands, BooleanSupplier updatesAllowed,
                BooleanSupplier treatmentInProgress, PackageFiles packages, Clock clock) {
        this.topics.set(topics);
        this.link.set(link);
        link.addListener(new ConnectionListener() {
            @Override
            public void connected() {
                // before the broker counts as reached: a trial's health-check step goes out before its commit
                UpdateStatus newest = last.get();
                List<UpdateStatus> startUp;
                synchronized (fromStartUp) {
                    startUp = List.copyOf(fromStartUp);
                    fromStartUp.clear();
                }
                startUp.forEach(Updates.this::publish);
                if (newest != null) {
                    publish(newest);
                }
                reachedFlag.set(true);
            }

            @Override
            public void disconnected(String reason) {
                // the retained status is published again on the next connect
            }
        });
        service = new UpdateService(boot.slots(), UpdateService.verifierFor(settings, boot.slots(), updatesAllowed),
                new InstallGate(treatmentInProgress, settings.window(), settings.zone(), clock), this::publish,
                ProcessRestarter.exiting(), thread, clock, settings.recheckInterval());
        new UpdateCommands(service, boot.slots(), transfer -> packages.completedPackage(transfer)
                .orElseThrow(() -> new CommandException(ErrorCode.INVALID_ARGUMENT, "args.transfer: no completed"
                        + " download of an update package with id " + transfer)), settings.hardwareId())
                .registerOn(commands);
    }

    /** Finds the file of a completed package download. */
    @FunctionalInterface
    interface PackageFiles {
        Optional<Path> completedPackage(String transferId);
    }

    private void publish(UpdateStatus status) {
        last.set(status);
        Logger.info("update status step={} detail={}", status.step(), status.detail());
        MqttConnection l = link.get();
        Topics t = topics.get();
        if (l == null || t == null || !l.isConnected()) {
            return;
        }
        l.publish(t.update(), status.toMessage(t.deviceId()), 1, true).whenComplete((ok, e) -> {
            if (e != null) {
                Logger.warn("update status not published error={}", e.getMessage());
            }
        });
    }

    private static Path runningJar() {
        try {
            return Path.of(Updates.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return Path.of("unknown.jar");
        }
    }

    /** Why a development build takes no updates, and how to build a release (docs/operations.md). */
    static String developmentBuild() {
        return "this is a development build (version " + AgentVersion.current() + ", not a release MAJOR.MINOR.PATCH),"
                + " which does not set up the update slots; build a release with mvn -B verify -Drevision=1.4.0";
    }

    /** The release the factory installed, when this build has a release version (not a development build). */
    private static Optional<InstalledRelease> factoryRelease() {
        try {
            return Optional.of(new InstalledRelease(Version.parse(AgentVersion.current()), 0));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        if (service != null) {
            service.close();
        }
        boot.close();
        thread.shutdownNow();
    }
}
