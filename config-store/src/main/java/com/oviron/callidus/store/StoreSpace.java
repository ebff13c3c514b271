package com.oviron.callidus.store;

/**
 * The disk space of the store folder, shared by everything that writes there. The telemetry store keeps a
 * reserve file (released when a write meets a full disk, re-created once there is room again) and keeps its
 * readings within what the disk holds. The readings are the only data that may give way: another writer
 * (the state databases, the agent's small files) that meets a full disk calls {@link #makeRoom} and tries
 * once more. Implementation: {@code SqliteTelemetryOutbox.space()}; a fake in {@code store.fake}.
 *
 * <p>Thread-safe.
 */
public interface StoreSpace {

    /** The figures now. */
    SpaceStatus status();

    /**
     * A write of about {@code bytes} met a full disk: frees room for it, first by releasing the reserve, else
     * by dropping the oldest unsent readings (by the retention rule, counted).
     *
     * @param writer who asks (a file name), for the log
     * @return whether room was made; a false means the write should fail as it did
     */
    boolean makeRoom(long bytes, String writer);
}
