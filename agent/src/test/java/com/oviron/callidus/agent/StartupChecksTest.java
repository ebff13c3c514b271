package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.store.folders.ProcessUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's start-up rules on a unit laid out as docs/security.md describes (the tests run as root). */
class StartupChecksTest {
    private static final ProcessUser ROOT = new ProcessUser(0, "root");

    @TempDir
    Path dir;

    private Path config;
    private Path store;

    @BeforeEach
    void setUp() throws IOException {
        store = Files.createDirectories(dir.resolve("var/lib/callidus"));
        chmod(store, "rwx------");
        Files.createDirectories(dir.resolve("ui/settings"));
        Files.createDirectories(dir.resolve("sensor"));
        file(store.resolve("agent.db"), "rw-------");
        file(store.resolve("commands.db"), "rw-r--r--");
        file(store.resolve("xray.key"), "rw-------");
        file(store.resolve("subscription-token.jws"), "rw-r--r--");
        Files.createDirectories(store.resolve("transfers"));
    }

    private static Path file(Path p, String perms) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, "x");
        chmod(p, perms);
        return p;
    }

    private static void chmod(Path p, String perms) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }

    private AgentConfig config(String extraMqtt, String services) throws Exception {
        config = dir.resolve("agent.json");
        Files.writeString(config, """
                {"device": {"id": "CAL-PERM-1"}, "hal": {"source": "simulator"},
                 "store": {"path": "var/lib/callidus/agent.db"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://localhost:1883"%s},
                 "subscription": {"keys": {"k2026": "XnSuoSe_vL7PVcbWSzhV_JF0xtTfUOv5Re5rGi6R8Gk"}}%s}
                """.formatted(extraMqtt, services));
        chmod(config, "rw-r-----");
        return AgentConfigLoader.load(config);
    }

    private AgentConfig withServices() throws Exception {
        return config(", \"password\": \"secret\"", """
                , "settings": {"folder": "ui/settings"}, "display": {"folder": "ui/display"},
                  "xray": {"viewerFolder": "ui/viewer", "captureFolder": "sensor"}""");
    }

    private List<String> problems(AgentConfig c) {
        return StartupChecks.problems(c, config, ROOT);
    }

    @Test
    void a_unit_laid_out_as_documented_starts() throws Exception {
        assertEquals(List.of(), problems(withServices()));
    }

    @Test
    void a_configuration_with_a_password_readable_by_others_is_refused() throws Exception {
        AgentConfig c = withServices();
        chmod(config, "rw-r--r--");
        List<String> problems = problems(c);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith(config + " (configuration, with a password): mode 0644"),
                problems.get(0));
        AgentConfig withoutPassword = config("", "");
        chmod(config, "rw-r--r--");
        assertEquals(List.of(), problems(withoutPassword), "no secret in it: others may read it");
    }

    @Test
    void a_configuration_others_can_change_is_refused_it_pins_the_vendor_keys() throws Exception {
        AgentConfig c = config("", "");
        chmod(config, "rw-rw-rw-");
        assertTrue(problems(c).get(0).contains("(configuration): mode 0666"), problems(c).toString());
    }

    @Test
    void state_files_and_the_key_with_unsafe_modes_or_owners_are_each_named() throws Exception {
        AgentConfig c = withServices();
        chmod(store.resolve("xray.key"), "rw-r--r--");
        chmod(store.resolve("commands.db"), "rw-rw-r--");
        chmod(store.resolve("transfers"), "rwxrwxrwx");
        Files.getFileAttributeView(store.resolve("subscription-token.jws"), PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS).setOwner(store.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName("nobody"));
        List<String> problems = problems(c);
        assertEquals(4, problems.size(), problems.toString());
        String all = String.join("\n", problems);
        assertTrue(all.contains("xray.key (X-ray vault key): mode 0644"), all);
        assertTrue(all.contains("commands.db (state database): mode 0664"), all);
        assertTrue(all.contains("transfers (agent folder): mode 0777"), all);
        assertTrue(all.contains("subscription-token.jws (subscription token cache): mode 0644, owner nobody"), all);
    }

    @Test
    void a_clean_close_note_others_can_write_is_refused_it_lets_a_start_skip_the_store_check() throws Exception {
        AgentConfig c = config("", "");
        file(store.resolve("agent.db.sound"), "rw-rw-rw-");
        List<String> problems = problems(c);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("agent.db.sound (telemetry store's clean-close note): mode 0666"),
                problems.get(0));
    }

    @Test
    void a_store_folder_writable_by_the_group_is_refused() throws Exception {
        AgentConfig c = config("", "");
        chmod(store, "rwxrwx---");
        assertTrue(problems(c).get(0).contains("(store folder): mode 0770, owner root (uid 0): writable by the group"),
                problems(c).toString());
    }

    @Test
    void a_shared_folder_that_holds_the_agent_state_is_refused() throws Exception {
        AgentConfig c = config("", """
                , "settings": {"folder": "var/lib"}, "display": {"folder": "var/lib/callidus/bundles"}""");
        List<String> problems = problems(c);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("settings folder " + dir.resolve("var/lib") + ": holds the agent's"
                + " store folder"), problems.get(0));
        assertTrue(problems.get(1).startsWith("display folder " + dir.resolve("var/lib/callidus/bundles")
                + ": overlaps the agent folder"), problems.get(1));
    }

    @Test
    void capture_and_viewer_folders_must_not_overlap() throws Exception {
        AgentConfig c = config("", """
                , "xray": {"viewerFolder": "sensor/viewer", "captureFolder": "sensor"}""");
        List<String> problems = problems(c);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("overlap: delivered images would be taken back"), problems.get(0));
    }
}
