package com.oviron.callidus.store.settings;

import com.oviron.callidus.store.StoreException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The versions of the unit's settings documents (installation and user settings), so that every change can
 * be backed up, merged against the version the cloud last confirmed, and restored.
 *
 * <p>For each document: its versions (the newest {@code maxVersions}, plus the one the cloud confirmed, which
 * is the base of the next three-way merge and is never pruned); which version the cloud confirmed. Besides:
 * the clinic-wide defaults last applied to each document (the base of the next defaults merge), and when the
 * last full backup went out. {@link #record} changes several documents in one transaction: all of them or
 * none. Implementations: {@link SqliteSettingsVersions} (real), {@code store.fake.InMemorySettingsVersions}.
 */
public interface SettingsVersions extends AutoCloseable {
    /** Versions kept per document unless configured otherwise. */
    int DEFAULT_MAX_VERSIONS = 20;
    /** Largest document accepted, in bytes. */
    int MAX_DOCUMENT_BYTES = 64 * 1024;

    /**
     * Records new versions (each gets its document's next number) and new defaults, all in one transaction,
     * then prunes the documents' old versions.
     *
     * @throws IllegalArgumentException for content over {@link #MAX_DOCUMENT_BYTES} or a name given twice
     */
    List<DocumentVersion> record(List<NewVersion> versions, List<NewDefaults> defaults, long atMillis)
            throws StoreException;

    /** The newest version of a document, also when it is a deletion. */
    Optional<DocumentVersion> latest(String name) throws StoreException;

    /** The newest version of every document ever recorded (deletions included), by name. */
    List<DocumentVersion> latestAll() throws StoreException;

    /** One version, if it is still kept. */
    Optional<DocumentVersion> version(String name, long version) throws StoreException;

    /** The version the cloud confirmed last, if any. */
    Optional<DocumentVersion> synced(String name) throws StoreException;

    /** Notes that the cloud has {@code version}; an older version than the one already confirmed is ignored. */
    void markSynced(String name, long version) throws StoreException;

    /** The newest version of every document whose newest version the cloud has not confirmed, by name. */
    List<DocumentVersion> unsynced() throws StoreException;

    /** The defaults last applied, by document name. */
    List<ClinicDefaults> defaults() throws StoreException;

    /** When the last full backup was acknowledged, if ever. */
    OptionalLong lastFullBackupMillis() throws StoreException;

    void fullBackupDone(long atMillis) throws StoreException;

    @Override
    void close();
}
