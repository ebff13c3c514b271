package com.oviron.callidus.store.transfers;

import com.oviron.callidus.store.StoreException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The file transfers the unit takes part in (both directions), kept durably so that a transfer resumes after
 * a reboot with only the chunks it does not have yet. Each row holds what the transfer is (declared size,
 * SHA-256, chunk size, deadline), its state and which chunks are done (a bitmap). Finished transfers are kept
 * for a while so that {@code file.list} can tell what became of them; {@link #prune} removes the oldest.
 */
public interface TransferStore extends AutoCloseable {

    /** Adds a transfer; returns false (and changes nothing) if one with the same id exists. */
    boolean create(StoredTransfer transfer) throws StoreException;

    Optional<StoredTransfer> find(String id) throws StoreException;

    /** Marks one chunk done; harmless if it already is, ignored for an unknown or finished transfer. */
    void markDone(String id, int chunk) throws StoreException;

    /**
     * Marks several chunks done in one transaction (a download books a window of chunks at once, after the part
     * file holding them was forced to disk); as {@link #markDone(String, int)} for each.
     */
    void markDone(String id, Collection<Integer> chunks) throws StoreException;

    /** Marks chunks as not done (the other side says it misses them); ignored for an unknown transfer. */
    void markMissing(String id, Collection<Integer> chunks) throws StoreException;

    /** Ends an active transfer with a final state and a reason; ignored if it has ended already. */
    void finish(String id, TransferState state, String reason, long nowMillis) throws StoreException;

    /** Every transfer still {@link TransferState#ACTIVE}, oldest first. */
    List<StoredTransfer> active() throws StoreException;

    /** The newest {@code limit} transfers of any state, newest first. */
    List<StoredTransfer> recent(int limit) throws StoreException;

    /** Removes finished transfers beyond the newest {@code keepFinished}; returns how many. */
    int prune(int keepFinished) throws StoreException;

    @Override
    void close();
}
