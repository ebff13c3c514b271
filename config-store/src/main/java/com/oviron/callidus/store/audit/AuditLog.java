package com.oviron.callidus.store.audit;

import com.oviron.callidus.store.StoreException;
import java.util.List;

/**
 * The unit's own audit trail (issue 14): every login, failed login, lockout, consent decision and command that
 * changed something, kept on the unit whatever the cloud link does. Bounded: beyond {@link #maxEntries()}
 * the oldest entries are removed, and counted ({@link #removed()}), never silently. The cloud gets every
 * entry as an audit event too, so the bound only limits what the unit itself can show.
 *
 * <p>Implementations: {@link SqliteAuditLog} ({@code audit.db}) and {@code fake.InMemoryAuditLog}.
 * Thread-safe.
 */
public interface AuditLog extends AutoCloseable {
    /** Entries kept by default. */
    int DEFAULT_MAX_ENTRIES = 10_000;

    /** Stores an entry durably; returns its sequence number. Removes the oldest beyond the bound. */
    long append(NewAuditEntry entry) throws StoreException;

    /** Up to {@code limit} of the newest entries, newest first. */
    List<AuditEntry> newest(int limit) throws StoreException;

    /** The entries of one console session that are still kept, oldest first. */
    List<AuditEntry> session(String session) throws StoreException;

    /** Entries kept now. */
    long count() throws StoreException;

    /** Entries removed so far because of the bound (never decreases). */
    long removed() throws StoreException;

    /** The bound. */
    int maxEntries();

    @Override
    void close();
}
