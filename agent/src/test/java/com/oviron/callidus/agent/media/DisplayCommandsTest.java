package com.oviron.callidus.agent.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.command.Command;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.command.CommandException;
import com.oviron.callidus.cloud.command.ErrorCode;
import com.oviron.callidus.cloud.fake.FakeMqttConnection;
import com.oviron.callidus.cloud.files.FileKind;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.store.fake.InMemoryCommandJournal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DisplayCommandsTest {
    @TempDir
    Path tmp;
    ManualClock clock = new ManualClock();
    DisplayImageInstaller installer;
    DisplayCommands commands;
    byte[] first = TestImages.png(64, 40, 1);
    byte[] second = TestImages.png(64, 40, 2);

    @BeforeEach
    void setUp() throws Exception {
        installer = new DisplayImageInstaller(new DisplaySettings(tmp.resolve("display"), tmp.resolve("state"),
                new DisplaySpec(64, 40, java.util.Set.of(ImageFormat.PNG), 1 << 20)), clock,
                com.oviron.callidus.store.folders.FolderGuard.logOnly());
        commands = new DisplayCommands(installer);
    }

    private static Command command(String name, String args) {
        return new Command("c-1", name, JsonParser.parseString(args).getAsJsonObject(), 0, Long.MAX_VALUE);
    }

    private void install(FileKind kind, String name, byte[] content) throws Exception {
        installer.accept(kind, name, TestImages.write(Files.createDirectories(tmp.resolve("in")), name, content));
    }

    @Test
    void get_reports_current_and_previous_of_both_kinds() throws Exception {
        install(FileKind.SCREENSAVER, "a.png", first);
        clock.advance(Duration.ofMinutes(5));
        install(FileKind.SCREENSAVER, "b.png", second);

        JsonObject result = commands.get(command("display.get", "{}")).getAsJsonObject();
        JsonObject current = result.getAsJsonObject("screensaver").getAsJsonObject("current");
        assertEquals("b.png", current.get("name").getAsString());
        assertEquals(second.length, current.get("size").getAsLong());
        assertEquals(64, current.get("width").getAsInt());
        assertEquals(40, current.get("height").getAsInt());
        assertEquals("png", current.get("format").getAsString());
        assertEquals(clock.millis(), current.get("installedAt").getAsLong());
        assertEquals(64, current.get("sha256").getAsString().length());
        assertEquals("a.png", result.getAsJsonObject("screensaver").getAsJsonObject("previous").get("name")
                .getAsString());
        assertTrue(result.getAsJsonObject("logo").get("current").isJsonNull());
        assertTrue(result.getAsJsonObject("logo").get("previous").isJsonNull());
    }

    @Test
    void get_with_a_kind_reports_only_that_kind() throws Exception {
        JsonObject result = commands.get(command("display.get", "{\"kind\":\"logo\"}")).getAsJsonObject();
        assertEquals(java.util.Set.of("logo"), result.keySet());
    }

    @Test
    void rollback_swaps_and_reports_both() throws Exception {
        install(FileKind.SCREENSAVER, "a.png", first);
        install(FileKind.SCREENSAVER, "b.png", second);
        JsonObject result = commands.rollback(command("display.rollback", "{\"kind\":\"screensaver\"}"))
                .getAsJsonObject();
        assertEquals("screensaver", result.get("kind").getAsString());
        assertEquals("a.png", result.getAsJsonObject("current").get("name").getAsString());
        assertEquals("b.png", result.getAsJsonObject("previous").get("name").getAsString());
    }

    @Test
    void rollback_refuses_bad_arguments_naming_them() {
        CommandException missing = assertThrows(CommandException.class,
                () -> commands.rollback(command("display.rollback", "{}")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, missing.code());
        assertEquals("args.kind: required", missing.getMessage());
        CommandException xray = assertThrows(CommandException.class,
                () -> commands.rollback(command("display.rollback", "{\"kind\":\"xray\"}")));
        assertEquals("args.kind: must be logo or screensaver", xray.getMessage());
        CommandException extra = assertThrows(CommandException.class,
                () -> commands.get(command("display.get", "{\"all\":true}")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, extra.code());
    }

    @Test
    void rollback_without_previous_fails_with_the_reason() {
        CommandException e = assertThrows(CommandException.class,
                () -> commands.rollback(command("display.rollback", "{\"kind\":\"logo\"}")));
        assertEquals(ErrorCode.FAILED, e.code());
        assertEquals("there is no previous logo to roll back to", e.getMessage());
    }

    @Test
    void registers_both_commands_on_the_channel() throws Exception {
        install(FileKind.SCREENSAVER, "a.png", first);
        install(FileKind.SCREENSAVER, "b.png", second);
        FakeMqttConnection link = new FakeMqttConnection();
        link.connect();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        Topics topics = new Topics("unit-1");
        try (CommandChannel channel = new CommandChannel(link, topics, new InMemoryCommandJournal(), executor,
                clock)) {
            commands.registerOn(channel);
            channel.start();
            long expires = clock.millis() + 60_000;
            link.deliver(topics.commands(), ("{\"v\":1,\"id\":\"c-9\",\"name\":\"display.rollback\",\"args\":"
                    + "{\"kind\":\"screensaver\"},\"issuedAt\":" + clock.millis() + ",\"expiresAt\":" + expires + "}")
                    .getBytes(StandardCharsets.UTF_8));
            Await.until("a reply", Duration.ofSeconds(10), () -> !link.publishes().isEmpty());
            JsonObject reply = JsonParser.parseString(new String(link.publishes().get(0).payload(),
                    StandardCharsets.UTF_8)).getAsJsonObject();
            assertTrue(reply.get("ok").getAsBoolean(), reply.toString());
            assertEquals("a.png", reply.getAsJsonObject("result").getAsJsonObject("current").get("name")
                    .getAsString());
        } finally {
            executor.shutdownNow();
        }
    }
}
