package com.oviron.callidus.agent.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.hal.fake.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpdateBootTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    Path root;
    SlotManager slots;
    ManualClock clock = new ManualClock();
    List<UpdateStatus> statuses = new CopyOnWriteArrayList<>();
    List<String> restarts = new CopyOnWriteArrayList<>();
    AtomicBoolean board = new AtomicBoolean();
    AtomicBoolean broker = new AtomicBoolean();
    HealthChecks checks = new HealthChecks(() -> true, board::get, broker::get);
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void setUp() throws Exception {
        root = dir.resolve("root");
        slots = SlotManager.initialize(root, "a", Version.parse("1.1.0"), 3);
        Files.writeString(slots.slotFolder("a").resolve("callidus-agent.jar"), "A");
        PackageFixtures fx = new PackageFixtures(Files.createDirectories(dir.resolve("pkgs")));
        VerifiedPackage pkg = new UpdatePackageVerifier(fx.pinned(), Optional.empty(), slots::installed, () -> true,
                () -> Long.MAX_VALUE, 1_000_000).verify(fx.release("1.2.0", 5, "r120"));
        slots.install(pkg, (f, i, n) -> { }, () -> false);
        slots.beginTrial(pkg.manifest(), clock.millis());
    }

    @AfterEach
    void tearDown() throws Exception {
        executor.shutdownNow();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
    }

    Optional<UpdateBoot> boot(Path jar) throws Exception {
        return UpdateBoot.start(root, jar, Optional.empty(), checks, Duration.ofSeconds(60), statuses::add,
                restarts::add, executor, clock);
    }

    boolean reported() {
        try {
            return SlotManager.open(root).state().last().map(SlotState.LastResult::reported).orElse(false);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    List<String> steps() {
        return statuses.stream().map(s -> s.step().code()).toList();
    }

    @Test
    void a_healthy_trial_commits() throws Exception {
        UpdateBoot boot = boot(root.resolve("current/callidus-agent.jar")).orElseThrow();
        assertTrue(boot.trialRunning());
        assertEquals(List.of("health-check"), steps());
        board.set(true);
        broker.set(true);
        Await.until(() -> "committed, statuses " + statuses, WAIT, () -> steps().contains("committed"));
        Await.until("the commit is marked reported", WAIT, () -> reported());
        SlotState s = SlotManager.open(root).state();
        assertEquals("b", s.committedSlot());
        assertEquals("1.2.0", s.committedVersion().toString());
        assertEquals(5, s.securityFloor());
        assertTrue(s.trial().isEmpty());
        assertTrue(s.last().orElseThrow().reported());
        assertTrue(restarts.isEmpty());
        assertFalse(boot.trialRunning());
    }

    @Test
    void a_trial_that_misses_the_deadline_rolls_back_and_restarts() throws Exception {
        boot(root.resolve("current/callidus-agent.jar")).orElseThrow();
        board.set(true);
        clock.advance(Duration.ofSeconds(61));
        Await.until(() -> "rolled back, statuses " + statuses, WAIT, () -> !restarts.isEmpty());
        UpdateStatus last = statuses.get(statuses.size() - 1);
        assertEquals(UpdateStep.ROLLED_BACK, last.step());
        assertTrue(last.detail().contains("broker not reached"), last.detail());
        assertFalse(last.detail().contains("board not read"), last.detail());
        SlotState s = SlotManager.open(root).state();
        assertEquals("a", s.committedSlot());
        assertEquals(3, s.securityFloor());
        assertTrue(s.trial().isEmpty());
        assertEquals(Optional.of("a"), slots.currentSlot());
    }

    @Test
    void a_process_not_running_from_the_trial_slot_does_not_commit_it() throws Exception {
        board.set(true);
        broker.set(true);
        UpdateBoot boot = boot(root.resolve("slots/a/callidus-agent.jar")).orElseThrow();
        assertFalse(boot.trialRunning());
        assertTrue(SlotManager.open(root).state().trial().isPresent());
        assertTrue(statuses.isEmpty());
    }

    @Test
    void a_rollback_by_the_launcher_is_reported_once_at_the_next_start() throws Exception {
        slots.rollback("the new version did not pass its health check after 1 start(s) (launcher)", 5);
        boot(root.resolve("current/callidus-agent.jar")).orElseThrow();
        assertEquals(List.of("rolled-back"), steps());
        assertEquals(Optional.of("1.2.0"), statuses.get(0).version());
        statuses.clear();
        boot(root.resolve("current/callidus-agent.jar")).orElseThrow();
        assertTrue(statuses.isEmpty(), "reported once: " + statuses);
    }

    @Test
    void an_unmanaged_run_disables_updates_and_a_factory_run_sets_the_slots_up() throws Exception {
        Path jar = Files.writeString(dir.resolve("dev.jar"), "dev");
        assertTrue(UpdateBoot.start(dir.resolve("nowhere"), jar, Optional.of(new InstalledRelease(Version.parse("1.0.0"),
                1)), checks, Duration.ofSeconds(60), statuses::add, restarts::add, executor, clock).isEmpty());
        assertFalse(Files.exists(dir.resolve("nowhere/update.state")));
        Path fresh = dir.resolve("fresh");
        Files.createDirectories(fresh.resolve("slots/b"));
        Path factoryJar = Files.writeString(fresh.resolve("slots/b/callidus-agent.jar"), "B");
        UpdateBoot b = UpdateBoot.start(fresh, factoryJar, Optional.of(new InstalledRelease(Version.parse("1.0.0"), 1)),
                checks, Duration.ofSeconds(60), statuses::add, restarts::add, executor, clock).orElseThrow();
        assertEquals("b", b.slots().state().committedSlot());
        assertEquals("1.0.0", b.slots().state().committedVersion().toString());
        assertEquals(Optional.of("b"), b.slots().currentSlot());
    }
}
