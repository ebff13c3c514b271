package com.oviron.callidus.agent;

import com.oviron.callidus.agent.update.SlotManager;
import com.oviron.callidus.cloud.TlsSettings;
import com.oviron.callidus.store.folders.PermissionCheck;
import com.oviron.callidus.store.folders.PermissionCheck.Kind;
import com.oviron.callidus.store.folders.ProcessUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tinylog.Logger;

/**
 * What the agent checks before it starts (docs/security.md, "What the agent refuses at start"): the ownership
 * and permissions of its own state and key files ({@link PermissionCheck}), and that no folder other software
 * writes holds the agent's own state. Any problem stops the start with exit code 1 and a line per problem
 * naming the file, its owner and mode, and what is required.
 */
final class StartupChecks {
    /** Sub-folders of the store folder the agent keeps to itself. */
    static final List<String> OWN_FOLDERS = List.of("transfers", "bundles", "xray", "display", "display/display-meta",
            "logo-backups", "updates");
    private static final List<String> STATE_DATABASES = List.of("commands.db", "transfers.db", "settings.db");

    private StartupChecks() {
    }

    /** Every problem found; empty when the agent may start. */
    static List<String> problems(AgentConfig config, Path configFile, ProcessUser user) {
        PermissionCheck check = new PermissionCheck(user);
        AgentConfig.Mqtt mqtt = config.mqtt();
        boolean configHoldsSecret = mqtt.password().isPresent()
                || mqtt.tls().flatMap(TlsSettings::pkcs12Password).isPresent();
        check.check(configFile, configHoldsSecret ? Kind.SECRET : Kind.FILE, configHoldsSecret
                ? "configuration, with a password" : "configuration");
        Path store = Agent.stateFolder(config);
        check.check(store, Kind.FOLDER, "store folder");
        database(check, config.store().path(), "telemetry store");
        // lets a start skip the store's check at open: only the agent may write it
        check.check(config.store().path().resolveSibling(config.store().path().getFileName() + ".sound"), Kind.FILE,
                "telemetry store's clean-close note");
        for (String db : STATE_DATABASES) {
            database(check, store.resolve(db), "state database");
        }
        for (String folder : OWN_FOLDERS) {
            check.check(store.resolve(folder), Kind.FOLDER, "agent folder");
        }
        check.check(store.resolve(StoreLock.FILE_NAME), Kind.FILE, "store lock");
        check.check(store.resolve("logo-backups.json"), Kind.FILE, "logo backup state");
        check.check(store.resolve("settings-commit.json"), Kind.FILE, "settings commit manifest");
        check.check(store.resolve("xray.key"), Kind.SECRET, "X-ray vault key");
        config.cloud().xray().ifPresent(x -> check.check(x.keyFile(), Kind.SECRET, "X-ray vault key"));
        config.subscription().ifPresent(s -> {
            check.check(s.tokenFile(), Kind.FILE, "subscription token cache");
            check.check(s.clockFile(), Kind.FILE, "trusted-time file");
        });
        config.cloud().update().ifPresent(u -> {
            check.check(u.root(), Kind.FOLDER, "update root");
            check.check(u.root().resolve(SlotManager.STATE_FILE), Kind.FILE, "update state");
            check.check(u.root().resolve("slots"), Kind.FOLDER, "update slots");
            check.check(u.root().resolve("slots/a"), Kind.FOLDER, "update slot");
            check.check(u.root().resolve("slots/b"), Kind.FOLDER, "update slot");
            check.check(u.root().resolve(SlotManager.CURRENT), Kind.FOLDER, "current update slot");
        });
        mqtt.tls().ifPresent(t -> {
            check.check(t.caCertificate(), Kind.FILE, "broker CA certificate");
            t.clientCertificate().ifPresent(p -> check.check(p, Kind.FILE, "TLS client certificate"));
            t.clientKey().ifPresent(p -> check.check(p, Kind.SECRET, "TLS client key"));
            t.pkcs12().ifPresent(p -> check.check(p, Kind.SECRET, "TLS client key store"));
        });
        List<String> problems = new ArrayList<>(check.problems());
        problems.addAll(overlaps(config));
        return problems;
    }

    /** The folders other software writes, by what they are. */
    static Map<String, Path> sharedFolders(AgentConfig config) {
        Map<String, Path> shared = new LinkedHashMap<>();
        AgentConfig.Cloud c = config.cloud();
        c.settings().ifPresent(s -> shared.put("settings folder", s.folder()));
        c.display().ifPresent(d -> shared.put("display folder", d.displayFolder()));
        c.xrayCapture().ifPresent(x -> shared.put("x-ray capture folder", x.captureFolder()));
        c.xray().ifPresent(x -> shared.put("x-ray viewer folder", x.viewerFolder()));
        return shared;
    }

    /**
     * A folder other software writes must not be, or contain, the store folder, the update root or one of the
     * agent's own sub-folders (the other software could then replace the agent's state), nor lie inside one of
     * those sub-folders; the capture and viewer folders must not overlap (delivered images would be taken back).
     */
    private static List<String> overlaps(AgentConfig config) {
        List<String> problems = new ArrayList<>();
        Path store = real(Agent.stateFolder(config));
        Map<String, Path> own = new LinkedHashMap<>();
        own.put("store folder", store);
        config.cloud().update().ifPresent(u -> own.put("update root", real(u.root())));
        List<Map.Entry<String, Path>> inner = new ArrayList<>();
        for (String f : OWN_FOLDERS) {
            inner.add(Map.entry("agent folder", store.resolve(f)));
        }
        config.cloud().xray().ifPresent(x -> inner.add(Map.entry("x-ray vault", real(x.vaultFolder()))));
        for (Map.Entry<String, Path> s : sharedFolders(config).entrySet()) {
            Path shared = real(s.getValue());
            int before = problems.size();
            for (Map.Entry<String, Path> o : own.entrySet()) {
                if (o.getValue().startsWith(shared)) {
                    problems.add(s.getKey() + " " + s.getValue() + ": holds the agent's " + o.getKey() + " "
                            + o.getValue() + "; other software writes it, so it could replace the agent's state;"
                            + " required: separate folders");
                }
            }
            for (Map.Entry<String, Path> o : inner) {
                Path p = real(o.getValue());
                if (problems.size() == before && (p.startsWith(shared) || shared.startsWith(p))) {
                    problems.add(s.getKey() + " " + s.getValue() + ": overlaps the " + o.getKey() + " " + p
                            + "; required: separate folders");
                }
            }
        }
        config.cloud().xrayCapture().ifPresent(capture -> config.cloud().xray().ifPresent(x -> {
            Path a = real(capture.captureFolder());
            Path b = real(x.viewerFolder());
            if (a.startsWith(b) || b.startsWith(a)) {
                problems.add("x-ray capture folder " + capture.captureFolder() + " and x-ray viewer folder "
                        + x.viewerFolder() + " overlap: delivered images would be taken back; required: separate"
                        + " folders");
            }
        }));
        return problems;
    }

    /** Logs what is allowed but unwise: root, and shared folders any user can write. */
    static void warn(AgentConfig config, ProcessUser user) {
        if (user.isRoot()) {
            Logger.warn("agent runs as root; it does not need to: run it as the system user callidus"
                    + " (docs/security.md)");
        }
        for (Map.Entry<String, Path> s : sharedFolders(config).entrySet()) {
            try {
                Path p = s.getValue();
                if (Files.isDirectory(p)) {
                    int mode = (Integer) Files.getAttribute(p, "unix:mode") & 07777;
                    if ((mode & 02) != 0 && (mode & 01000) == 0) {
                        Logger.warn("shared folder is writable by every user of the unit; only its own software"
                                + " should write it folder={} path={} mode={}", s.getKey(), p,
                                String.format("%04o", mode));
                    }
                }
            } catch (IOException | UnsupportedOperationException e) {
                // not checked: not there yet, or not a POSIX file system
            }
        }
    }

    private static void database(PermissionCheck check, Path db, String what) {
        check.check(db, Kind.FILE, what);
        check.check(db.resolveSibling(db.getFileName() + "-wal"), Kind.FILE, what + " (write-ahead log)");
        check.check(db.resolveSibling(db.getFileName() + "-shm"), Kind.FILE, what + " (shared memory)");
    }

    /** The real path of the longest existing part of {@code p}, with the rest appended (p need not exist). */
    static Path real(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(abs)).normalize();
        } catch (IOException e) {
            return abs;
        }
    }
}
