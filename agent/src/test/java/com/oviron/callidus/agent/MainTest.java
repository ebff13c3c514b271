package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void help_lists_the_options_and_exits_zero() {
        assertEquals(0, run("--help"));
        String text = out.toString(StandardCharsets.UTF_8);
        for (String option : new String[] {"--config", "--check-config", "--help", "--version"}) {
            assertTrue(text.contains(option), option + " missing from: " + text);
        }
    }

    @Test
    void without_a_config_it_says_so_and_exits_2() {
        assertEquals(2, run());
        assertTrue(err().contains("--config <file> is required"), err());
    }

    @Test
    void an_unknown_option_is_a_usage_error() {
        assertEquals(2, run("--confg", "x.json"));
        assertTrue(err().contains("unknown option '--confg'"), err());
    }

    @Test
    void a_missing_config_file_is_named_and_exits_2() {
        assertEquals(2, run("--config", dir.resolve("absent.json").toString()));
        assertTrue(err().contains("absent.json does not exist"), err());
    }

    @Test
    void a_bad_value_is_reported_with_its_key_and_exits_2() throws Exception {
        Path file = dir.resolve("agent.json");
        Files.writeString(file, """
                {"device": {"id": "CAL-1"}, "store": {"path": "a.db"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://localhost:1883", "keepAlive": "forever"}}
                """);
        assertEquals(2, run("--config", file.toString()));
        assertTrue(err().contains("config key 'mqtt.keepAlive'"), err());
        assertTrue(err().contains("forever"), err());
    }

    @Test
    void check_config_validates_and_exits_zero() throws Exception {
        Path file = dir.resolve("agent.json");
        Files.writeString(file, """
                {"device": {"id": "CAL-1"}, "store": {"path": "a.db"}, "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://localhost:1883"}}
                """);
        assertEquals(0, run("--config", file.toString(), "--check-config"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("config ok: device=CAL-1"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("services: subscription=NOT CHECKED (development) settings=off"), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void unsafe_permissions_of_its_own_files_stop_the_start_with_exit_1_naming_the_file() throws Exception {
        Path file = dir.resolve("agent.json");
        Files.writeString(file, """
                {"device": {"id": "CAL-1"}, "store": {"path": "data/agent.db"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://localhost:1"}}
                """);
        Path key = Files.writeString(Files.createDirectories(dir.resolve("data")).resolve("xray.key"), "k");
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(1, run("--config", file.toString(), "--check-config"));
        assertTrue(err().contains("error: agent cannot start: unsafe ownership or permissions"), err());
        assertTrue(err().contains(key + " (X-ray vault key): mode 0644, owner root (uid 0): readable or usable by"
                + " others; required:"), err());
        assertEquals(1, run("--config", file.toString()), "the same without --check-config, before anything starts");
    }
}
