package com.oviron.callidus.agent.settings;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import org.tinylog.Logger;

/**
 * Tells when something in the settings folder (or its {@code users/} folder) may have changed, on its own
 * thread "settings-watch". It only signals; what changed is found by a scan, and a periodic rescan covers
 * what a watch misses (a folder created late, an overflow, a file system without notifications).
 */
final class FolderWatcher implements AutoCloseable {
    private final Path root;
    private final Runnable changed;
    private WatchService service;
    private Thread thread;
    private volatile boolean usersWatched;

    FolderWatcher(Path root, Runnable changed) {
        this.root = root;
        this.changed = changed;
    }

    void start() {
        try {
            service = root.getFileSystem().newWatchService();
            root.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            watchUsers();
        } catch (IOException e) {
            Logger.warn("settings folder not watched, periodic rescans only folder={} error={}", root, e.getMessage());
            return;
        }
        thread = new Thread(this::run, "settings-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void watchUsers() {
        Path users = root.resolve(DocumentName.USERS_FOLDER);
        if (!usersWatched && Files.isDirectory(users, LinkOption.NOFOLLOW_LINKS)) {
            try {
                users.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                        StandardWatchEventKinds.ENTRY_MODIFY);
                usersWatched = true;
            } catch (IOException e) {
                Logger.warn("settings users folder not watched folder={} error={}", users, e.getMessage());
            }
        }
    }

    private void run() {
        while (true) {
            WatchKey key;
            try {
                key = service.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            key.pollEvents();
            if (!key.reset() && key.watchable().equals(root.resolve(DocumentName.USERS_FOLDER))) {
                usersWatched = false;
            }
            watchUsers();
            try {
                changed.run();
            } catch (RuntimeException e) {
                Logger.error(e, "settings change signal failed");
            }
        }
    }

    @Override
    public void close() {
        if (service != null) {
            try {
                service.close();
            } catch (IOException e) {
                Logger.warn("settings watch not closed error={}", e.getMessage());
            }
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
