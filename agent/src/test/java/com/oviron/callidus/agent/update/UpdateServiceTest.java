package com.oviron.callidus.agent.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.command.Command;
import com.oviron.callidus.cloud.command.CommandException;
import com.oviron.callidus.cloud.command.ErrorCode;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.hal.fake.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpdateServiceTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    PackageFixtures fx;
    SlotManager slots;
    ManualClock clock = new ManualClock(Instant.parse("2026-11-22T02:30:00Z")); // inside 02:00-04:00 UTC
    AtomicBoolean treatment = new AtomicBoolean();
    AtomicBoolean allowed = new AtomicBoolean(true);
    List<UpdateStatus> statuses = new CopyOnWriteArrayList<>();
    List<String> restarts = new CopyOnWriteArrayList<>();
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    UpdateService service;
    UpdateCommands commands;

    @BeforeEach
    void setUp() throws Exception {
        fx = new PackageFixtures(Files.createDirectories(dir.resolve("pkgs")));
        slots = SlotManager.initialize(dir.resolve("root"), "a", Version.parse("1.1.0"), 3);
        UpdatePackageVerifier verifier = new UpdatePackageVerifier(fx.pinned(), Optional.of(PackageFixtures.HARDWARE),
                slots::installed, allowed::get, slots::availableBytes, 10_000_000);
        InstallGate gate = new InstallGate(treatment::get, MaintenanceWindow.parse("02:00-04:00"), ZoneOffset.UTC,
                clock);
        service = new UpdateService(slots, verifier, gate, statuses::add, restarts::add, executor, clock,
                Duration.ofMillis(10));
        commands = new UpdateCommands(service, slots, id -> {
            if (id.equals("missing")) {
                throw CommandException.invalidArgument("transfer", "no completed download with this id");
            }
            return fx.dir.resolve(id + ".cup");
        }, PackageFixtures.HARDWARE);
    }

    @AfterEach
    void tearDown() throws Exception {
        executor.shutdownNow();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
    }

    List<String> steps() {
        return statuses.stream().map(s -> s.step().code()).distinct().toList();
    }

    Command cmd(String name, String argsJson) {
        return new Command("c-1", name, com.google.gson.JsonParser.parseString(argsJson).getAsJsonObject(), 0,
                Long.MAX_VALUE);
    }

    @Test
    void a_good_package_goes_through_every_step_to_the_restart() throws Exception {
        fx.release("1.2.0", 4, "r120");
        JsonObject reply = commands.install(cmd("update.install", "{\"transfer\":\"r120\"}")).getAsJsonObject();
        assertTrue(reply.get("started").getAsBoolean());
        Await.until(() -> "restart, statuses " + statuses, WAIT, () -> !restarts.isEmpty());
        assertEquals(List.of("received", "verifying", "installing", "switching", "restarting"), steps());
        assertTrue(statuses.stream().anyMatch(s -> s.detail().equals("file 2/2 doc/notes.txt")), statuses.toString());
        SlotState s = SlotManager.open(slots.root()).state();
        assertEquals("b", s.trial().orElseThrow().slot());
        assertEquals("1.2.0", s.trial().get().version().toString());
        assertEquals(Optional.of("b"), slots.currentSlot());
        assertEquals(Optional.of("1.2.0"), statuses.get(statuses.size() - 1).version());

        JsonObject status = commands.status(cmd("update.status", "{}")).getAsJsonObject();
        assertEquals("1.1.0", status.getAsJsonObject("installed").get("version").getAsString());
        assertEquals("1.2.0", status.getAsJsonObject("trial").get("version").getAsString());
        assertEquals("restarting", status.getAsJsonObject("step").get("step").getAsString());
    }

    @Test
    void a_rejected_package_is_reported_with_its_reason_and_changes_no_slot() throws Exception {
        fx.release("1.0.0", 4, "old");
        commands.install(cmd("update.install", "{\"transfer\":\"old\"}"));
        Await.until(() -> "rejected, statuses " + statuses, WAIT, () -> steps().contains("rejected"));
        UpdateStatus r = statuses.get(statuses.size() - 1);
        assertEquals(Optional.of("not-newer"), r.reason());
        assertTrue(r.detail().contains("1.0.0"), r.detail());
        assertEquals(Optional.of("1.0.0"), r.version(), "the signed manifest's release is named");
        Await.until("idle", WAIT, () -> !service.busy());
        assertEquals(Optional.of("a"), slots.currentSlot());
        assertTrue(slots.state().trial().isEmpty());
        assertEquals("failed", slots.state().last().orElseThrow().outcome());
        assertEquals("1.0.0", slots.state().last().orElseThrow().version().toString());
        assertTrue(restarts.isEmpty());
    }

    @Test
    void it_waits_for_the_treatment_and_the_window_then_installs() throws Exception {
        fx.release("1.2.0", 4, "r120");
        treatment.set(true);
        clock.set(Instant.parse("2026-11-22T01:00:00Z"));
        service.install(fx.dir.resolve("r120.cup"));
        Await.until(() -> "waiting, statuses " + statuses, WAIT,
                () -> statuses.stream().anyMatch(s -> s.reason().equals(Optional.of(InstallGate.TREATMENT))));
        assertTrue(steps().contains("waiting"));
        treatment.set(false);
        Await.until(() -> "waiting for the window, statuses " + statuses, WAIT,
                () -> statuses.stream().anyMatch(s -> s.reason().equals(Optional.of(InstallGate.WINDOW))));
        assertFalse(steps().contains("installing"));
        assertEquals(Optional.of("a"), slots.currentSlot());
        clock.set(Instant.parse("2026-11-22T02:00:00Z"));
        Await.until(() -> "restart, statuses " + statuses, WAIT, () -> !restarts.isEmpty());
        assertEquals(Optional.of("b"), slots.currentSlot());
    }

    @Test
    void an_expired_token_while_waiting_rejects_the_package_at_install_time() throws Exception {
        fx.release("1.2.0", 4, "r120");
        clock.set(Instant.parse("2026-11-22T01:00:00Z"));
        service.install(fx.dir.resolve("r120.cup"));
        Await.until(() -> "waiting, statuses " + statuses, WAIT, () -> steps().contains("waiting"));
        allowed.set(false);
        clock.set(Instant.parse("2026-11-22T02:00:00Z"));
        Await.until(() -> "rejected, statuses " + statuses, WAIT, () -> steps().contains("rejected"));
        assertEquals(Optional.of("not-entitled"), statuses.get(statuses.size() - 1).reason());
        assertTrue(slots.state().trial().isEmpty());
    }

    @Test
    void a_waiting_update_can_be_cancelled_and_a_second_one_is_busy_meanwhile() throws Exception {
        fx.release("1.2.0", 4, "r120");
        treatment.set(true);
        commands.install(cmd("update.install", "{\"transfer\":\"r120\"}"));
        Await.until(() -> "waiting, statuses " + statuses, WAIT, () -> steps().contains("waiting"));
        CommandException busy = assertThrows(CommandException.class,
                () -> commands.install(cmd("update.install", "{\"transfer\":\"r120\"}")));
        assertEquals(ErrorCode.BUSY, busy.code());
        assertTrue(commands.cancel(cmd("update.cancel", "{}")).getAsJsonObject().get("cancelled").getAsBoolean());
        Await.until(() -> "cancelled, statuses " + statuses, WAIT, () -> steps().contains("cancelled"));
        Await.until("idle", WAIT, () -> !service.busy());
        treatment.set(false);
        // the experiment: a cancelled update must not resume when the gate opens. The service asks the gate
        // again every 10 ms on this executor, and the executor runs what is due first: once a task due 100 ms
        // from now has run, a recheck that was still pending has run too, however slow the machine
        executor.schedule(() -> { }, 100, TimeUnit.MILLISECONDS).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertFalse(steps().contains("installing"), statuses.toString());
        assertTrue(restarts.isEmpty());
        assertFalse(commands.cancel(cmd("update.cancel", "{}")).getAsJsonObject().get("cancelled").getAsBoolean());
    }

    @Test
    void cancel_after_the_switch_began_is_refused() throws Exception {
        fx.release("1.2.0", 4, "r120");
        CountDownLatch switching = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        UpdateService blocking = new UpdateService(slots, new UpdatePackageVerifier(fx.pinned(),
                Optional.of(PackageFixtures.HARDWARE), slots::installed, () -> true, slots::availableBytes, 10_000_000),
                new InstallGate(() -> false, MaintenanceWindow.parse("00:00-00:00"), ZoneOffset.UTC, clock), s -> {
                    if (s.step() == UpdateStep.SWITCHING) {
                        switching.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }, restarts::add, executor, clock, Duration.ofMillis(10));
        blocking.install(fx.dir.resolve("r120.cup"));
        assertTrue(switching.await(20, TimeUnit.SECONDS));
        IllegalStateException e = assertThrows(IllegalStateException.class, blocking::cancel);
        assertTrue(e.getMessage().contains("cannot be cancelled"), e.getMessage());
        release.countDown();
        Await.until("restart", WAIT, () -> !restarts.isEmpty());
    }

    @Test
    void command_arguments_are_checked_before_anything_starts() throws Exception {
        CommandException e = assertThrows(CommandException.class,
                () -> commands.install(cmd("update.install", "{\"transfer\":\"../etc\"}")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        e = assertThrows(CommandException.class, () -> commands.install(cmd("update.install", "{}")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        e = assertThrows(CommandException.class,
                () -> commands.install(cmd("update.install", "{\"transfer\":\"r\",\"force\":true}")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        e = assertThrows(CommandException.class,
                () -> commands.install(cmd("update.install", "{\"transfer\":\"missing\"}")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertFalse(service.busy());
        assertTrue(statuses.isEmpty());
        e = assertThrows(CommandException.class, () -> commands.status(cmd("update.status", "{\"x\":1}")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }
}
