package com.oviron.callidus.store.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.Consumer;
import org.tinylog.Logger;

/**
 * The {@code PRAGMA quick_check} a store skipped at open (its file had been closed cleanly after a passing check,
 * {@link SoundFileMarker}), run once on a read-only connection of its own after a delay, on a low-priority
 * thread: the store's writer goes on meanwhile (WAL readers do not block it). Damage found is handed to
 * {@code onDamage}; the store then leaves no clean-close note, so the next start checks and salvages the file.
 */
final class DeferredCheck {
    /** What the check has found so far. */
    enum State { WAITING, PASSED, DAMAGED, NOT_RUN }

    private final Path file;
    private final Duration delay;
    private final Consumer<String> onDamage;
    private final Thread thread;
    private volatile State state = State.WAITING;
    private volatile boolean stopped;
    private Statement running; // guarded by this

    DeferredCheck(Path file, Duration delay, Consumer<String> onDamage) {
        this.file = file;
        this.delay = delay;
        this.onDamage = onDamage;
        this.thread = new Thread(this::run, "store-check");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
    }

    void start() {
        thread.start();
    }

    State state() {
        return state;
    }

    /** Ends the check (interrupting SQLite if it runs) and waits for its thread; a check stopped is not passed. */
    void stop() {
        stopped = true;
        synchronized (this) {
            if (running != null) {
                try {
                    running.cancel();
                } catch (SQLException e) {
                    Logger.debug("store check cancel failed error={}", e.getMessage());
                }
            }
        }
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            state = State.NOT_RUN;
            return;
        }
        long started = System.nanoTime();
        String problem;
        try (Connection c = CorruptionRecovery.readOnly(file); Statement st = c.createStatement()) {
            synchronized (this) {
                if (stopped) {
                    state = State.NOT_RUN;
                    return;
                }
                running = st;
            }
            try {
                problem = CorruptionRecovery.quickCheck(st);
            } finally {
                synchronized (this) {
                    running = null;
                }
            }
        } catch (SQLException e) {
            if (stopped) {
                state = State.NOT_RUN;
            } else if (CorruptionRecovery.isDamage(e)) {
                damaged(String.valueOf(e.getMessage()));
            } else {
                // not damage (locked, I/O): the next start checks the file at open
                state = State.NOT_RUN;
                Logger.warn("store check after start could not run file={} error={}", file, e.getMessage());
            }
            return;
        }
        if (stopped) {
            state = State.NOT_RUN;
        } else if (problem == null) {
            state = State.PASSED;
            Logger.info("store check after start ok file={} ms={}", file,
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
        } else {
            damaged(problem);
        }
    }

    /** Raises the damage, then says so in {@link #state()}: who sees DAMAGED sees the alarm stored too. */
    private void damaged(String problem) {
        Logger.error("store database failed its check after start file={} problem={}; it is salvaged and moved"
                + " aside at the next start", file, problem);
        try {
            onDamage.accept(problem);
        } catch (RuntimeException e) {
            Logger.warn("store damage not recorded error={}", e.getMessage());
        } finally {
            state = State.DAMAGED;
        }
    }
}
