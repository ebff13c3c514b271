package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log's configuration: journald form under systemd, the optional rolling file (docs/configuration.md, log). */
class LoggingConfigTest {
    @TempDir
    Path dir;

    @Test
    void under_the_journal_lines_have_no_time_stamp_and_carry_their_priority() {
        Map<String, String> p = Main.loggingProperties(new AgentConfig.Log("info"), true);
        assertEquals("true", p.get("writer.journal"));
        assertEquals("{level} [{thread}] {message}", p.get("writer.format"));
        Map<String, String> terminal = Main.loggingProperties(new AgentConfig.Log("info"), false);
        assertEquals("false", terminal.get("writer.journal"));
        assertTrue(terminal.get("writer.format").startsWith("{date:"));
        assertFalse(terminal.containsKey("writer2"), "no file unless log.file names one");
    }

    @Test
    void log_file_adds_a_rolling_file_with_its_cap_and_backups() throws Exception {
        AgentConfig config = AgentConfigLoader.parse("""
                {"device": {"id": "CAL-1"}, "hal": {"source": "simulator"}, "store": {"path": "a.db"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://localhost:1883"},
                 "log": {"level": "debug", "file": "logs/agent.log", "fileMaxMb": 5, "fileBackups": 2}}
                """, dir);
        assertEquals(Optional.of(dir.resolve("logs/agent.log")), config.log().file());
        Map<String, String> p = Main.loggingProperties(config.log(), true);
        assertEquals("switchable rolling file", p.get("writer2"));
        assertEquals(dir.resolve("logs/agent.{count}.log").toString(), p.get("writer2.file"));
        assertEquals(dir.resolve("logs/agent.log").toString(), p.get("writer2.latest"));
        assertEquals("size: 5mb", p.get("writer2.policies"));
        assertEquals("3", p.get("writer2.backups"), "two rolled-over files besides the current one");
        assertTrue(p.get("writer2.format").startsWith("{date:"), "a file has its own time stamps");
    }

    @Test
    void the_log_file_defaults_are_10_mb_and_3_backups_and_a_folder_is_refused() {
        AgentConfig.Log log = new AgentConfig.Log("info");
        assertEquals(10, log.fileMaxMb());
        assertEquals(3, log.fileBackups());
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () ->
                AgentConfigLoader.parse("""
                        {"device": {"id": "CAL-1"}, "hal": {"source": "simulator"}, "store": {"path": "a.db"},
                         "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://localhost:1883"},
                         "log": {"file": "."}}
                        """, dir));
        assertTrue(e.getMessage().contains("log.file"), e.getMessage());
        ConfigException cap = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () ->
                AgentConfigLoader.parse("""
                        {"device": {"id": "CAL-1"}, "hal": {"source": "simulator"}, "store": {"path": "a.db"},
                         "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://localhost:1883"},
                         "log": {"file": "agent.log", "fileMaxMb": 0}}
                        """, dir));
        assertTrue(cap.getMessage().contains("log.fileMaxMb"), cap.getMessage());
    }

    @Test
    void rolled_files_are_numbered_before_the_extension() {
        assertEquals(Path.of("/var/log/callidus/agent.{count}.log"),
                Main.numbered(Path.of("/var/log/callidus/agent.log")));
        assertEquals(Path.of("/x/agent.{count}"), Main.numbered(Path.of("/x/agent")));
    }
}
