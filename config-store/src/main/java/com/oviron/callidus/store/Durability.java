package com.oviron.callidus.store;

/**
 * What a committed transaction survives. Maps to SQLite's {@code PRAGMA synchronous} in WAL mode.
 */
public enum Durability {
    /** fsync on every commit: an accepted reading survives a crash of the process and a power cut. */
    FULL,
    /**
     * fsync only at WAL checkpoints: an accepted reading survives a crash of the process, but a power cut
     * may take back the transactions committed since the last checkpoint (the database stays consistent).
     */
    NORMAL
}
