package com.oviron.callidus.store.transfers;

import java.util.BitSet;
import java.util.Objects;

/**
 * One file transfer as kept on disk.
 *
 * @param id             the transfer's id, unique on the unit
 * @param kind           what the file is, as it travels ({@code logo}, {@code xray}, ...)
 * @param name           the file's plain name (checked by the caller)
 * @param size           the declared size in bytes, at least 1
 * @param sha256         the declared SHA-256 of the whole file, 32 bytes
 * @param chunkSize      bytes per chunk; the last chunk may be shorter
 * @param deadlineMillis after this instant (epoch ms) the transfer is abandoned
 * @param reason         why it ended (empty while active or when done)
 * @param done           which chunks are done (bit {@code i} = chunk {@code i})
 */
public record StoredTransfer(String id, TransferDirection direction, String kind, String name, long size,
                             byte[] sha256, int chunkSize, long deadlineMillis, TransferState state, String reason,
                             BitSet done, long createdAtMillis, long updatedAtMillis) {
    public StoredTransfer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1, got " + size);
        }
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be at least 1, got " + chunkSize);
        }
        if (sha256 == null || sha256.length != 32) {
            throw new IllegalArgumentException("sha256 must be 32 bytes");
        }
        long chunks = (size + chunkSize - 1) / chunkSize;
        if (chunks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many chunks: " + chunks);
        }
        sha256 = sha256.clone();
        done = (BitSet) done.clone();
        if (done.length() > chunks) {
            throw new IllegalArgumentException("chunk " + (done.length() - 1) + " marked done of " + chunks);
        }
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    @Override
    public BitSet done() {
        return (BitSet) done.clone();
    }

    public int chunkCount() {
        return (int) ((size + chunkSize - 1) / chunkSize);
    }

    /** The length of chunk {@code index}: {@code chunkSize}, except for a shorter last chunk. */
    public int chunkLength(int index) {
        long start = (long) index * chunkSize;
        return (int) Math.min(chunkSize, size - start);
    }

    public boolean isDone(int chunk) {
        return done.get(chunk);
    }

    public int chunksDone() {
        return done.cardinality();
    }

    public boolean allChunksDone() {
        return done.cardinality() == chunkCount();
    }

    /** Bytes in the chunks that are done. */
    public long bytesDone() {
        long bytes = (long) done.cardinality() * chunkSize;
        int last = chunkCount() - 1;
        if (done.get(last)) {
            bytes -= chunkSize - chunkLength(last);
        }
        return bytes;
    }

    public StoredTransfer withState(TransferState newState, String newReason, long nowMillis) {
        return new StoredTransfer(id, direction, kind, name, size, sha256, chunkSize, deadlineMillis, newState,
                newReason, done, createdAtMillis, nowMillis);
    }

    public StoredTransfer withDone(BitSet newDone, long nowMillis) {
        return new StoredTransfer(id, direction, kind, name, size, sha256, chunkSize, deadlineMillis, state, reason,
                newDone, createdAtMillis, nowMillis);
    }
}
