package com.oviron.callidus.store.folders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up rules for the agent's own files; the tests run as root and use "nobody" as the other user. */
class PermissionCheckTest {
    private static final ProcessUser ROOT = new ProcessUser(0, "root");
    private static final ProcessUser NOBODY = new ProcessUser(65534, "nobody");

    @TempDir
    Path dir;

    private Path store;

    @BeforeEach
    void setUp() throws IOException {
        store = Files.createDirectories(dir.resolve("store"));
        chmod(store, "rwx------");
    }

    private static void chmod(Path p, String perms) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }

    private static void chown(Path p, String user) throws IOException {
        UserPrincipal u = p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
        Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setOwner(u);
    }

    private Path file(String name, String perms) throws IOException {
        Path p = Files.writeString(store.resolve(name), "x");
        chmod(p, perms);
        return p;
    }

    @Test
    void a_safe_layout_passes() throws IOException {
        Path db = file("agent.db", "rw-r--r--");
        Path key = file("xray.key", "rw-------");
        Path tls = file("unit.key", "rw-r-----");
        List<String> problems = new PermissionCheck(ROOT)
                .check(store, PermissionCheck.Kind.FOLDER, "store folder")
                .check(db, PermissionCheck.Kind.FILE, "telemetry store")
                .check(key, PermissionCheck.Kind.SECRET, "X-ray vault key")
                .check(tls, PermissionCheck.Kind.SECRET, "TLS client key")
                .check(store.resolve("not-yet.db"), PermissionCheck.Kind.FILE, "made later")
                .problems();
        assertEquals(List.of(), problems);
    }

    @Test
    void a_state_file_writable_by_the_group_is_named_with_its_mode_and_what_is_required() throws IOException {
        Path db = file("commands.db", "rw-rw-r--");
        List<String> problems = new PermissionCheck(ROOT).check(db, PermissionCheck.Kind.FILE, "command journal")
                .problems();
        assertEquals(1, problems.size(), problems.toString());
        String p = problems.get(0);
        assertTrue(p.startsWith(db + " (command journal): mode 0664, owner root (uid 0): writable by the group;"
                + " required: a plain file owned by root"), p);
    }

    @Test
    void a_key_readable_by_others_is_refused_and_one_readable_by_the_group_is_not() throws IOException {
        Path key = file("xray.key", "rw-r--r--");
        String p = new PermissionCheck(ROOT).check(key, PermissionCheck.Kind.SECRET, "X-ray vault key").problems()
                .get(0);
        assertTrue(p.contains("mode 0644") && p.contains("readable or usable by others")
                && p.contains("no access for others"), p);
        chmod(key, "rw-r-----");
        assertEquals(List.of(), new PermissionCheck(ROOT).check(key, PermissionCheck.Kind.SECRET, "key").problems());
    }

    @Test
    void a_file_of_another_user_is_refused_when_the_agent_runs_as_root() throws IOException {
        Path token = file("subscription-token.jws", "rw-------");
        chown(token, "nobody");
        String p = new PermissionCheck(ROOT).check(token, PermissionCheck.Kind.FILE, "token cache").problems()
                .get(0);
        assertTrue(p.contains("owner nobody (uid 65534): owned by another user; required: a plain file owned by"
                + " root,"), p);
    }

    @Test
    void files_of_root_and_of_the_agent_user_are_trusted_others_not() throws IOException {
        Path ours = file("ours.db", "rw-------");
        chown(ours, "nobody");
        chown(store, "nobody");
        Path roots = file("roots.db", "rw-r--r--");
        Path daemons = file("daemons.db", "rw-r--r--");
        chown(daemons, "daemon");
        List<String> problems = new PermissionCheck(NOBODY)
                .check(ours, PermissionCheck.Kind.FILE, "ours")
                .check(roots, PermissionCheck.Kind.FILE, "root's")
                .check(daemons, PermissionCheck.Kind.FILE, "daemon's")
                .problems();
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("daemon's") && problems.get(0).contains("root or nobody (uid 65534)"),
                problems.get(0));
    }

    @Test
    void a_folder_on_the_way_writable_by_others_is_refused_unless_it_is_sticky() throws IOException {
        Path open = Files.createDirectories(dir.resolve("open"));
        Path db = Files.writeString(Files.createDirectories(open.resolve("data")).resolve("agent.db"), "x");
        chmod(open, "rwxrwxrwx");
        List<String> problems = new PermissionCheck(ROOT).check(db, PermissionCheck.Kind.FILE, "telemetry store")
                .problems();
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith(open + " (a folder on the way to the telemetry store): mode 0777"),
                problems.get(0));
        Files.setAttribute(open, "unix:mode", 01777);
        assertEquals(List.of(), new PermissionCheck(ROOT).check(db, PermissionCheck.Kind.FILE, "store").problems());
    }

    @Test
    void a_folder_writable_by_others_is_refused_as_a_state_folder() throws IOException {
        chmod(store, "rwxrwxrwx");
        String p = new PermissionCheck(ROOT).check(store, PermissionCheck.Kind.FOLDER, "store folder").problems()
                .get(0);
        assertTrue(p.contains("mode 0777") && p.contains("writable by group and others"), p);
    }

    @Test
    void a_link_of_another_user_on_the_way_is_refused_and_one_of_root_is_followed_and_its_target_checked()
            throws IOException {
        Path real = file("agent.json", "rw-rw-rw-");
        Path viaRoot = Files.createSymbolicLink(dir.resolve("root-link"), store);
        List<String> problems = new PermissionCheck(ROOT)
                .check(viaRoot.resolve("agent.json"), PermissionCheck.Kind.FILE, "configuration").problems();
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("writable by group and others"), problems.get(0));
        chmod(real, "rw-r-----");
        Path viaNobody = Files.createSymbolicLink(dir.resolve("nobody-link"), store);
        chown(viaNobody, "nobody");
        String p = new PermissionCheck(ROOT).check(viaNobody.resolve("agent.json"), PermissionCheck.Kind.FILE,
                "configuration").problems().get(0);
        assertTrue(p.contains("goes through the symbolic link " + viaNobody + " of nobody (uid 65534)"), p);
    }

    @Test
    void a_folder_where_a_file_belongs_is_named() throws IOException {
        Path notAFile = Files.createDirectories(store.resolve("xray.key"));
        String p = new PermissionCheck(ROOT).check(notAFile, PermissionCheck.Kind.SECRET, "X-ray vault key")
                .problems().get(0);
        assertTrue(p.contains("not a plain file"), p);
    }
}
