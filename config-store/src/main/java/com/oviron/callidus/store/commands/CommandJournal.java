package com.oviron.callidus.store.commands;

import com.oviron.callidus.store.StoreException;
import java.util.Optional;

/**
 * The commands the unit has seen, so that a command that arrives twice (the cloud retried, the broker
 * redelivered) is answered twice but carried out once. An entry is written, durably, before the command is
 * carried out; its reply is added when it is done. An entry without a reply after a restart means the unit
 * stopped while carrying it out. Entries are kept until a day after the command's expiry, and at most
 * {@link #MAX_ENTRIES} (oldest go first).
 */
public interface CommandJournal extends AutoCloseable {
    int MAX_ENTRIES = 10_000;

    /**
     * @param reply the reply sent, empty while the command is being carried out (or was interrupted)
     */
    record Entry(String id, String name, long receivedAtMillis, long expiresAtMillis, Optional<byte[]> reply) {
    }

    /**
     * Records the command as started unless its id is already known.
     *
     * @return empty if it was new (and is now recorded), else the earlier entry
     */
    Optional<Entry> begin(String id, String name, long expiresAtMillis, long nowMillis) throws StoreException;

    /** Stores the reply of a command {@link #begin begun} earlier. */
    void complete(String id, byte[] reply) throws StoreException;

    /** Removes entries a day past their expiry, and the oldest beyond {@link #MAX_ENTRIES}; returns how many. */
    int prune(long nowMillis) throws StoreException;

    /** How many entries are kept. */
    int size() throws StoreException;

    @Override
    void close();
}
