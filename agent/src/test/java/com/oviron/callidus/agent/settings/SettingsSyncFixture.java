package com.oviron.callidus.agent.settings;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.command.Command;
import com.oviron.callidus.cloud.fake.FakeMqttConnection;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.store.fake.InMemorySettingsVersions;
import com.oviron.callidus.store.folders.ConfinedFolder;
import com.oviron.callidus.store.folders.FolderGuard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A settings sync on a fake broker session, a manual clock, an in-memory store and a temp folder. */
final class SettingsSyncFixture implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(5);
    static final String TOPIC = "callidus/v1/CAL-0001/settings";

    final Path folder;
    final ManualClock clock = new ManualClock();
    final FakeMqttConnection link = new FakeMqttConnection();
    final InMemorySettingsVersions versions = new InMemorySettingsVersions(20);
    final FailingSettingsVersions store = new FailingSettingsVersions(versions);
    final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    final SettingsSync sync;
    final SettingsCommands commands;
    private final AtomicInteger ids = new AtomicInteger();

    SettingsSyncFixture(Path folder, Duration rescan, SettingsFolder.TempWriter writer) {
        this.folder = folder;
        SettingsSyncSettings settings = new SettingsSyncSettings(folder, Duration.ofHours(24), Duration.ofSeconds(2),
                rescan, 20);
        sync = new SettingsSync(settings, store, link, new Topics("CAL-0001"), executor, clock,
                new SettingsFolder(ConfinedFolder.of(folder, "settings", FolderGuard.logOnly()),
                        folder.resolveSibling(folder.getFileName() + "-agent-state"), writer));
        commands = new SettingsCommands(sync);
    }

    SettingsSyncFixture(Path folder) {
        this(folder, Duration.ofHours(1), ConfinedFolder::writeNew);
    }

    /** Starts with the daily backup just done, so that only the backups a test causes go out. */
    SettingsSyncFixture start() throws Exception {
        versions.fullBackupDone(clock.millis());
        sync.start();
        return this;
    }

    void write(String name, String text) throws IOException {
        Path p = folder.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    String read(String name) throws IOException {
        return Files.readString(folder.resolve(name));
    }

    JsonObject readJson(String name) throws IOException {
        return JsonParser.parseString(read(name)).getAsJsonObject();
    }

    void scan() throws Exception {
        sync.rescanNow().get(5, TimeUnit.SECONDS);
    }

    /** Writes a file and lets it settle: scanned, quiet period passed, scanned again (recorded). */
    void edit(String name, String text) throws Exception {
        write(name, text);
        scan();
        clock.advance(Duration.ofSeconds(3));
        scan();
    }

    List<FakeMqttConnection.Publish> backups() {
        return link.publishes().stream().filter(p -> p.topic().equals(TOPIC)).toList();
    }

    FakeMqttConnection.Publish awaitBackup(int count) {
        Await.until(() -> "backup messages >= " + count + ", have " + backups().size(), WAIT,
                () -> backups().size() >= count);
        return backups().get(count - 1);
    }

    static JsonObject json(FakeMqttConnection.Publish p) {
        return JsonParser.parseString(new String(p.payload(), UTF_8)).getAsJsonObject();
    }

    Command command(String name, String args) {
        long now = clock.millis();
        return new Command("c-" + ids.incrementAndGet(), name, JsonParser.parseString(args).getAsJsonObject(), now,
                now + 60_000);
    }

    static JsonObject obj(JsonElement e) {
        return e.getAsJsonObject();
    }

    void awaitSynced(String name, long version) {
        Await.until(name + " synced at version " + version, WAIT, () -> {
            try {
                return versions.synced(name).map(v -> v.version() == version).orElse(false);
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    @Override
    public void close() {
        sync.close();
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
