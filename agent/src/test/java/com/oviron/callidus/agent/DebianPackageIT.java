package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.oviron.callidus.agent.systemd.NotifySocketListener;
import com.oviron.callidus.agent.update.SlotManager;
import com.oviron.callidus.agent.update.Version;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.MosquittoBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package on this machine, as a field technician uses it (docs/operations.md), with dpkg as root:
 * lintian; install (user, groups, files, modes, conffile, the release in slot a); systemd-analyze on the
 * installed unit; the unprovisioned template refused with the key named; the installed agent run as the
 * service user the way the unit's ExecStart does, publishing to a local mosquitto and talking to a notify
 * socket; upgrades that keep the local configuration and never downgrade a slot a remote update installed;
 * remove (data kept) and purge (data gone). Cleans up after itself: purge, the user and the group it made.
 *
 * <p>Fails, never skips, when not root or without dpkg: CI runs it as root on its own machine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebianPackageIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String PACKAGE = "callidus-agent";
    private static final Path ROOT = Path.of("/opt/callidus");
    private static final Path UNIT = Path.of("/lib/systemd/system/callidus-agent.service");
    private static final Path CONFIG = Path.of("/etc/callidus/agent.json");
    private static final Path DATA = Path.of("/var/lib/callidus");
    private static final String DEVICE = "CAL-DEB-0001";

    @TempDir
    Path tmp;

    private Path deb;
    private boolean userExisted;
    private boolean gpioExisted;
    private String localConfig;

    record Result(int exit, String out) {
    }

    @BeforeAll
    void preconditions() throws Exception {
        Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (!Integer.valueOf(0).equals(uid)) {
            fail("DebianPackageIT installs the package with dpkg and must run as root (uid 0), not uid " + uid
                    + "; CI runs it as root on its own machine");
        }
        if (run(List.of("sh", "-c", "command -v dpkg && command -v dpkg-deb && command -v lintian"
                + " && command -v systemd-analyze && command -v setpriv && command -v mosquitto")).exit() != 0) {
            fail("DebianPackageIT needs dpkg, dpkg-deb, lintian, systemd-analyze (package systemd), setpriv"
                    + " (util-linux) and mosquitto: tools/test installs them");
        }
        if (installed()) {
            fail(PACKAGE + " is installed on this machine; this test installs and purges its own copy: remove"
                    + " it first with dpkg -P " + PACKAGE);
        }
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            List<Path> debs = files.filter(p -> p.getFileName().toString().matches("callidus-agent_.+_all\\.deb"))
                    .sorted((a, b) -> Long.compare(b.toFile().lastModified(), a.toFile().lastModified())).toList();
            assertFalse(debs.isEmpty(), "run after package: no target/callidus-agent_<version>_all.deb");
            deb = debs.get(0).toAbsolutePath();
        }
        userExisted = run(List.of("getent", "passwd", "callidus")).exit() == 0;
        gpioExisted = run(List.of("getent", "group", "gpio")).exit() == 0;
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (deb == null) {
            return;
        }
        run(List.of("dpkg", "--purge", PACKAGE));
        if (!userExisted) {
            run(List.of("userdel", "callidus"));
        }
        if (!gpioExisted) {
            run(List.of("groupdel", "gpio"));
        }
    }

    @Test
    @Order(1)
    void lintian_finds_no_errors() throws Exception {
        Result r = run(List.of("lintian", "--no-tag-display-limit", deb.toString()), Duration.ofMinutes(5));
        List<String> errors = r.out().lines().filter(l -> l.startsWith("E:")).toList();
        assertTrue(errors.isEmpty(), "lintian errors:\n" + r.out());
        assertEquals(0, r.exit(), r.out());
    }

    @Test
    @Order(2)
    void install_makes_the_service_user_the_folders_with_their_modes_and_puts_the_release_into_slot_a()
            throws Exception {
        Result r = dpkg("-i", deb.toString());
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("provision the unit"), r.out());
        assertTrue(installed());

        String groups = run(List.of("id", "-nG", "callidus")).out();
        assertTrue(groups.contains("dialout") && groups.contains("gpio") && groups.contains("callidus"), groups);
        assertTrue(run(List.of("getent", "passwd", "callidus")).out().contains(":/var/lib/callidus:/usr/sbin/nologin"));

        assertMode(ROOT.resolve("bin/callidus-launch"), "root", "root", "rwxr-xr-x");
        assertMode(ROOT.resolve("release/callidus-agent.jar"), "root", "root", "rw-r--r--");
        assertMode(ROOT, "root", "callidus", "rwxrwxr-x");
        assertTrue(run(List.of("stat", "-c", "%a", ROOT.toString())).out().strip().equals("1775"),
                "sticky: the agent cannot rename bin/ or release/");
        assertMode(ROOT.resolve("slots/a"), "callidus", "callidus", null);
        assertMode(ROOT.resolve("slots/b"), "callidus", "callidus", null);
        assertMode(ROOT.resolve("slots/a/callidus-agent.jar"), "callidus", "callidus", "rw-r--r--");
        assertEquals(-1L, Files.mismatch(ROOT.resolve("release/callidus-agent.jar"),
                ROOT.resolve("slots/a/callidus-agent.jar")));
        assertEquals("slots/a", Files.readSymbolicLink(ROOT.resolve("current")).toString());
        assertMode(CONFIG.getParent(), "root", "callidus", "rwxr-x---");
        assertMode(CONFIG, "root", "callidus", "rw-r-----");
        assertMode(CONFIG.resolveSibling("tls"), "callidus", "callidus", "rwx------");
        assertMode(DATA, "callidus", "callidus", "rwxr-x---");
        assertMode(UNIT, "root", "root", "rw-r--r--");
        assertTrue(Files.exists(Path.of("/lib/udev/rules.d/60-callidus-gpio.rules")));
        assertTrue(Files.exists(Path.of("/usr/share/callidus/callidus-register-map.json")));
        assertTrue(Files.readString(Path.of("/usr/share/doc/callidus-agent/operations.md")).contains("## Provision a unit"),
                "the unit's Documentation= is installed");
        assertTrue(Files.isSymbolicLink(Path.of("/etc/systemd/system/multi-user.target.wants/callidus-agent.service")),
                "enabled: it starts at boot once provisioned");
        String conffiles = run(List.of("dpkg-query", "-W", "-f=${Conffiles}", PACKAGE)).out();
        assertTrue(conffiles.contains("/etc/callidus/agent.json"), conffiles);
        String depends = run(List.of("dpkg-query", "-W", "-f=${Depends}", PACKAGE)).out();
        assertTrue(depends.contains("openjdk-17-jre-headless | java17-runtime-headless"), depends);
    }

    @Test
    @Order(3)
    void the_installed_unit_passes_systemd_analyze_verify_and_its_security_score_is_ok() throws Exception {
        Result verify = run(List.of("systemd-analyze", "verify", UNIT.toString()));
        assertEquals(0, verify.exit(), verify.out());
        Result security = run(List.of("systemd-analyze", "security", "--offline=yes", UNIT.toString()));
        Matcher m = Pattern.compile("Overall exposure level for callidus-agent.service: ([0-9.]+) (\\w+)")
                .matcher(security.out());
        assertTrue(m.find(), security.out());
        double exposure = Double.parseDouble(m.group(1));
        System.out.println("systemd-analyze security: " + m.group(1) + " " + m.group(2));
        assertTrue(exposure <= 2.0, "exposure " + exposure + " (docs/operations.md states 1.7 OK):\n" + security.out());
    }

    @Test
    @Order(4)
    void an_unprovisioned_unit_refuses_to_start_naming_the_missing_certificate() throws Exception {
        Result r = runAsService(Map.of("JOURNAL_STREAM", "8:4242"), Duration.ofMinutes(2));
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.out().contains("<3>error: config key 'mqtt.tls.caCertificate'"), "an error for the journal: "
                + r.out());
        assertTrue(r.out().contains("/etc/callidus/tls/oviron-ca.pem"), r.out());
    }

    @Test
    @Order(5)
    void the_installed_agent_runs_as_the_service_user_and_publishes_to_a_local_mosquitto() throws Exception {
        try (MosquittoBroker broker = MosquittoBroker.start(tmp.resolve("mosquitto"));
             CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-deb", Topics.allTelemetry());
             NotifySocketListener systemd = new NotifySocketListener()) {
            // the technician's edit of the conffile: the simulator chosen explicitly, a local broker
            localConfig = """
                    {"device": {"id": "%s"},
                     "hal": {"source": "simulator", "samplePeriod": "100ms"},
                     "store": {"path": "/var/lib/callidus/agent.db"},
                     "mqtt": {"brokerUri": "%s", "allowPlainTcp": true, "reconnectMin": "200ms", "reconnectMax": "2s"},
                     "update": {"hardwareId": "callidus-v1", "keys": {"k1": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}}}
                    """.formatted(DEVICE, broker.uri());
            Files.writeString(CONFIG, localConfig);
            Path log = tmp.resolve("service.log");
            Process agent = startAsService(Map.of("NOTIFY_SOCKET", systemd.address(), "WATCHDOG_USEC", "60000000",
                    "JOURNAL_STREAM", "8:4242"), log);
            try {
                Await.until(() -> "telemetry from the installed agent; its output:\n" + read(log), WAIT,
                        () -> !cloud.receivedOn(new Topics(DEVICE).telemetry()).isEmpty());
                Await.until(() -> "READY=1; got:\n" + systemd.dump(), WAIT, () -> !systemd.with("READY=1").isEmpty());
                Object uid = Files.getAttribute(Path.of("/proc/" + agent.pid()), "unix:uid");
                assertEquals(uidOf("callidus"), uid, "the JVM runs as the service user (the launcher execs it)");
                assertMode(DATA.resolve("agent.db"), "callidus", "callidus", null);
                agent.destroy();
                assertTrue(agent.waitFor(60, TimeUnit.SECONDS), "no exit after SIGTERM:\n" + read(log));
            } finally {
                agent.destroyForcibly();
            }
            String out = read(log);
            assertEquals(143, agent.exitValue(), out);
            Await.until(() -> "STOPPING=1; got:\n" + systemd.dump(), WAIT, () -> !systemd.with("STOPPING=1").isEmpty());
            assertEquals(1, systemd.with("STOPPING=1").size(), systemd.dump());
            assertTrue(out.contains("<6>INFO [main] agent starting device=" + DEVICE), out);
            if (!AgentVersionOf.packaged().matches("[0-9]+\\.[0-9]+\\.[0-9]+")) {
                assertTrue(out.contains("updates off: this is a development build"), out);
            }
        }
    }

    @Test
    @Order(6)
    void an_upgrade_keeps_the_local_configuration_and_never_downgrades_a_slot_a_remote_update_installed()
            throws Exception {
        // the unit took a remote update: release 50.0.0 committed in slot b (as UpdateBoot and SlotManager leave it)
        Files.deleteIfExists(ROOT.resolve(SlotManager.STATE_FILE));
        SlotManager.initialize(ROOT, "b", Version.parse("50.0.0"), 7);
        Files.writeString(ROOT.resolve("slots/b/callidus-agent.jar"), "UPDATE 50.0.0");
        for (Path p : List.of(ROOT.resolve(SlotManager.STATE_FILE), ROOT.resolve("slots/b/callidus-agent.jar"))) {
            chown(p, "callidus");
        }
        run(List.of("chown", "-h", "callidus:callidus", ROOT.resolve("current").toString()));
        String state = Files.readString(ROOT.resolve(SlotManager.STATE_FILE));

        Result older = dpkg("-i", repack("1.0.0", false).toString());
        assertEquals(0, older.exit(), older.out());
        assertEquals("1.0.0", run(List.of("dpkg-query", "-W", "-f=${Version}", PACKAGE)).out());
        assertEquals("1.0.0\n", Files.readString(ROOT.resolve("release/VERSION")));
        assertEquals("UPDATE 50.0.0", Files.readString(ROOT.resolve("slots/b/callidus-agent.jar")),
                "slot b keeps the newer release the update installed");
        assertEquals(state, Files.readString(ROOT.resolve(SlotManager.STATE_FILE)));
        assertEquals("slots/b", Files.readSymbolicLink(ROOT.resolve("current")).toString());
        assertTrue(older.out().contains("newer than the package's 1.0.0"), older.out());
        assertEquals(localConfig, Files.readString(CONFIG), "the local edit of the conffile is kept");

        // a newer release, whose package also changed the template: the edit is kept, the template set beside it
        Result newer = dpkg("-i", "--force-confold", repack("60.0.0", true).toString());
        assertEquals(0, newer.exit(), newer.out());
        assertEquals(localConfig, Files.readString(CONFIG));
        assertTrue(Files.exists(Path.of("/etc/callidus/agent.json.dpkg-dist")), newer.out());
        assertEquals(-1L, Files.mismatch(ROOT.resolve("release/callidus-agent.jar"),
                ROOT.resolve("slots/b/callidus-agent.jar")), "the committed slot b now holds the package's release");
        assertMode(ROOT.resolve("slots/b/callidus-agent.jar"), "callidus", "callidus", "rw-r--r--");
        Map<String, String> after = keyValues(Files.readString(ROOT.resolve(SlotManager.STATE_FILE)));
        assertEquals("b", after.get("committed"));
        assertEquals("60.0.0", after.get("committedVersion"));
        assertEquals("7", after.get("securityVersion"), "a package never changes the security high-water mark");
        assertEquals("slots/b", Files.readSymbolicLink(ROOT.resolve("current")).toString());
        assertMode(CONFIG, "root", "callidus", "rw-r-----");
    }

    @Test
    @Order(7)
    void remove_keeps_data_configuration_and_slots_and_purge_removes_them() throws Exception {
        Result remove = dpkg("-r", PACKAGE);
        assertEquals(0, remove.exit(), remove.out());
        assertFalse(Files.exists(ROOT.resolve("bin/callidus-launch")));
        assertFalse(Files.exists(ROOT.resolve("release")));
        assertFalse(Files.exists(UNIT));
        assertTrue(Files.exists(DATA.resolve("agent.db")), "remove keeps the data");
        assertTrue(Files.exists(CONFIG), "remove keeps the configuration");
        assertTrue(Files.exists(ROOT.resolve("slots/b/callidus-agent.jar")), "remove keeps the slots");
        assertEquals(0, run(List.of("getent", "passwd", "callidus")).exit());

        Result purge = dpkg("-P", PACKAGE);
        assertEquals(0, purge.exit(), purge.out());
        assertFalse(Files.exists(DATA, LinkOption.NOFOLLOW_LINKS), "purge removes the data");
        assertFalse(Files.exists(ROOT, LinkOption.NOFOLLOW_LINKS), "purge removes the slots and the update state");
        assertFalse(Files.exists(CONFIG.getParent(), LinkOption.NOFOLLOW_LINKS), "purge removes the configuration");
        assertFalse(installed());
    }

    // ---- helpers

    /** The unit's ExecStart, as its User, in its WorkingDirectory, with its Environment= and {@code extra}. */
    private Process startAsService(Map<String, String> extra, Path log) throws IOException {
        return new ProcessBuilder(serviceCommand(extra)).directory(Path.of(unit("WorkingDirectory").get(0)).toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private Result runAsService(Map<String, String> extra, Duration timeout) throws Exception {
        Path log = tmp.resolve("once.log");
        Process p = startAsService(extra, log);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            fail("no exit within " + timeout + ":\n" + read(log));
        }
        return new Result(p.exitValue(), read(log));
    }

    private List<String> serviceCommand(Map<String, String> extra) throws IOException {
        String user = unit("User").get(0);
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + user, "--regid=" + unit("Group").get(0),
                "--init-groups", "--", "env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8",
                "HOME=" + DATA));
        for (String env : unit("Environment")) {
            String e = env.startsWith("\"") && env.endsWith("\"") ? env.substring(1, env.length() - 1) : env;
            command.add(e);
        }
        extra.forEach((k, v) -> command.add(k + "=" + v));
        command.addAll(List.of(unit("ExecStart").get(0).split(" ")));
        return command;
    }

    /** The values of {@code key=} in the installed unit, in order. */
    private static List<String> unit(String key) throws IOException {
        List<String> values = Files.readAllLines(UNIT).stream().filter(l -> l.startsWith(key + "="))
                .map(l -> l.substring(key.length() + 1)).toList();
        assertFalse(values.isEmpty(), "the unit has no " + key + "=");
        return values;
    }

    /** The package rebuilt as {@code version}: control, release/VERSION, md5sums; optionally another template. */
    private Path repack(String version, boolean changeTemplate) throws Exception {
        Path tree = tmp.resolve("repack-" + version);
        Result x = run(List.of("dpkg-deb", "-R", deb.toString(), tree.toString()));
        assertEquals(0, x.exit(), x.out());
        Path control = tree.resolve("DEBIAN/control");
        Files.writeString(control, Files.readString(control).replaceAll("(?m)^Version: .*$", "Version: " + version));
        Files.writeString(tree.resolve("opt/callidus/release/VERSION"), version + "\n");
        if (changeTemplate) {
            Path template = tree.resolve("etc/callidus/agent.json");
            Files.writeString(template, Files.readString(template).replace("CAL-000000", "CAL-999999"));
        }
        StringBuilder md5sums = new StringBuilder();
        try (Stream<Path> files = Files.walk(tree)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.startsWith(tree.resolve("DEBIAN")))
                    .sorted().toList()) {
                byte[] digest = MessageDigest.getInstance("MD5").digest(Files.readAllBytes(f));
                md5sums.append(HexFormat.of().formatHex(digest)).append("  ").append(tree.relativize(f)).append('\n');
            }
        }
        Files.writeString(tree.resolve("DEBIAN/md5sums"), md5sums.toString());
        Path out = tmp.resolve("callidus-agent_" + version + "_all.deb");
        Result b = run(List.of("dpkg-deb", "--root-owner-group", "-b", tree.toString(), out.toString()));
        assertEquals(0, b.exit(), b.out());
        return out;
    }

    private static Result dpkg(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("dpkg"));
        command.addAll(List.of(args));
        return run(command, Duration.ofMinutes(5));
    }

    private static boolean installed() throws Exception {
        return run(List.of("dpkg-query", "-W", "-f=${Status}", PACKAGE)).out().contains("install ok installed");
    }

    private static Result run(List<String> command) throws Exception {
        return run(command, Duration.ofMinutes(2));
    }

    private static Result run(List<String> command, Duration timeout) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            fail(command + " did not end within " + timeout + ":\n" + out);
        }
        return new Result(p.exitValue(), out);
    }

    private static void assertMode(Path path, String owner, String group, String mode) throws IOException {
        assertTrue(Files.exists(path, LinkOption.NOFOLLOW_LINKS), path + " exists");
        PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertEquals(owner, a.owner().getName(), path + " owner");
        assertEquals(group, a.group().getName(), path + " group");
        if (mode != null) {
            assertEquals(mode, PosixFilePermissions.toString(a.permissions()), path + " mode");
        }
    }

    private static void chown(Path path, String user) throws IOException {
        UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal u = users.lookupPrincipalByName(user);
        GroupPrincipal g = users.lookupPrincipalByGroupName(user);
        Files.setOwner(path, u);
        Files.getFileAttributeView(path, java.nio.file.attribute.PosixFileAttributeView.class).setGroup(g);
    }

    private static Object uidOf(String user) throws Exception {
        return Integer.valueOf(run(List.of("id", "-u", user)).out().strip());
    }

    private static Map<String, String> keyValues(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        text.lines().filter(l -> l.contains("=")).forEach(l -> m.put(l.substring(0, l.indexOf('=')),
                l.substring(l.indexOf('=') + 1)));
        return m;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** The version of the jar the package carries (target/deb/VERSION, written by the build). */
    private static final class AgentVersionOf {
        static String packaged() throws IOException {
            return Files.readString(Path.of("target", "deb", "VERSION")).strip();
        }
    }
}
