package com.oviron.callidus.agent.update;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

/**
 * A tiny stand-in for the agent in {@link UpdateCrashIT}: started by the real launcher as
 * {@code java -jar <root>/current/callidus-agent.jar}, it runs the real {@link UpdateBoot},
 * {@link UpdateService} and {@link SlotManager}. Its version and behaviour come from its jar's manifest
 * ({@code Probe-Version}, {@code Probe-Behavior}: normal, crash, unhealthy). Environment:
 * PROBE_MARKERS (folder for marker files), PROBE_HOOK (a step code, or file-N, at which it writes
 * {@code hook-<name>} and blocks so the test can kill it), PROBE_INSTALL (a package to install),
 * PROBE_PUBKEY (the pinned key), PROBE_DEADLINE_MS (health check deadline).
 */
public final class UpdateCrashProbe {
    private UpdateCrashProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(System.getProperty("java.class.path"));
        Attributes manifest;
        try (JarFile f = new JarFile(jar.toFile())) {
            manifest = f.getManifest().getMainAttributes();
        }
        String version = manifest.getValue("Probe-Version");
        String behavior = manifest.getValue("Probe-Behavior");
        if (behavior.equals("crash")) {
            System.err.println("probe " + version + " crashes at start");
            System.exit(1);
        }
        Path root = Path.of(System.getenv("CALLIDUS_ROOT"));
        Path markers = Path.of(System.getenv("PROBE_MARKERS"));
        String hook = Optional.ofNullable(System.getenv("PROBE_HOOK")).orElse("");
        UpdateStatusListener listener = status -> {
            append(markers.resolve("status.log"), version + " " + status.step().code() + " "
                    + status.reason().orElse("-") + " " + status.detail());
            String name = status.step().code();
            if (status.step() == UpdateStep.INSTALLING && status.detail().startsWith("file ")) {
                name = "file-" + status.detail().substring(5, status.detail().indexOf('/'));
            }
            if (name.equals(hook)) {
                write(markers.resolve("hook-" + hook), version);
                blockForever();
            }
        };
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        boolean healthy = !behavior.equals("unhealthy");
        HealthChecks checks = new HealthChecks(() -> true, () -> healthy, () -> healthy);
        // a healthy trial commits on its first check; the default deadline only has to outlast a loaded machine
        long deadline = Long.parseLong(Optional.ofNullable(System.getenv("PROBE_DEADLINE_MS")).orElse("60000"));
        UpdateBoot boot = UpdateBoot.start(root, jar, Optional.empty(), checks, Duration.ofMillis(deadline), listener,
                ProcessRestarter.exiting(), executor, Clock.systemUTC()).orElseThrow();
        while (boot.trialRunning()) {
            Thread.sleep(20);
        }
        SlotState state = boot.slots().reload();
        if (!state.committedVersion().toString().equals(version)) {
            blockForever(); // rolled back: the restarter ends this process
        }
        write(markers.resolve("working"), version + " " + state.committedSlot());
        String install = System.getenv("PROBE_INSTALL");
        if (install != null && !install.isEmpty()) {
            SlotManager slots = boot.slots();
            UpdatePackageVerifier verifier = new UpdatePackageVerifier(
                    PinnedKeys.of(Map.of("crash-test", System.getenv("PROBE_PUBKEY"))), Optional.of("callidus-v1"),
                    slots::installed, () -> true, slots::availableBytes, 100_000_000);
            InstallGate open = new InstallGate(() -> false, MaintenanceWindow.parse("00:00-00:00"), ZoneOffset.UTC,
                    Clock.systemUTC());
            new UpdateService(slots, verifier, open, listener, ProcessRestarter.exiting(), executor, Clock.systemUTC(),
                    Duration.ofMillis(50)).install(Path.of(install));
        }
        blockForever();
    }

    private static void blockForever() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void write(Path file, String text) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void append(Path file, String line) {
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
