package com.oviron.callidus.agent.access;

import java.io.IOException;
import java.time.Clock;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.tinylog.Logger;

/**
 * The current {@link AccessState} and its file: every change is written before it counts. Shared by the
 * {@link Authenticator} and {@link Consent}; thread-safe (the local console, a remote console, the GPIO button
 * and the consent timer change it from their own threads).
 */
final class AccessStateStore {
    private final AccessStateFile file;
    private AccessState state;

    AccessStateStore(AccessStateFile file, Clock clock) {
        this.file = Objects.requireNonNull(file, "file");
        this.state = file.load(clock);
    }

    /** Whether the file was damaged at start (and moved aside). */
    boolean startedDamaged() {
        return file.damaged();
    }

    synchronized AccessState get() {
        return state;
    }

    /**
     * Applies {@code change} and writes the result.
     *
     * @throws IOException when it cannot be written; the state is then unchanged
     */
    synchronized AccessState update(UnaryOperator<AccessState> change) throws IOException {
        AccessState next = change.apply(state);
        file.save(next);
        state = next;
        return next;
    }

    /**
     * Applies {@code change} even when it cannot be written (a wrong PIN must count, a disk error must not
     * reset the lockout); the write failure is logged.
     */
    synchronized AccessState updateEvenIfNotWritten(UnaryOperator<AccessState> change) {
        AccessState next = change.apply(state);
        state = next;
        try {
            file.save(next);
        } catch (IOException e) {
            Logger.error("access state not written (kept in memory) file={} error={}", file.file(), e.getMessage());
        }
        return next;
    }
}
