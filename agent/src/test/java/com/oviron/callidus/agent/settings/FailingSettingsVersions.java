package com.oviron.callidus.agent.settings;

import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.settings.ClinicDefaults;
import com.oviron.callidus.store.settings.DocumentVersion;
import com.oviron.callidus.store.settings.NewDefaults;
import com.oviron.callidus.store.settings.NewVersion;
import com.oviron.callidus.store.settings.SettingsVersions;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Wraps a store; {@link #failRecords} makes every {@code record} fail as a full disk would. */
final class FailingSettingsVersions implements SettingsVersions {
    private final SettingsVersions delegate;
    volatile boolean failRecords;

    FailingSettingsVersions(SettingsVersions delegate) {
        this.delegate = delegate;
    }

    @Override
    public List<DocumentVersion> record(List<NewVersion> versions, List<NewDefaults> defaults, long atMillis)
            throws StoreException {
        if (failRecords) {
            throw new StoreException("settings.db: database or disk is full");
        }
        return delegate.record(versions, defaults, atMillis);
    }

    @Override
    public Optional<DocumentVersion> latest(String name) throws StoreException {
        return delegate.latest(name);
    }

    @Override
    public List<DocumentVersion> latestAll() throws StoreException {
        return delegate.latestAll();
    }

    @Override
    public Optional<DocumentVersion> version(String name, long version) throws StoreException {
        return delegate.version(name, version);
    }

    @Override
    public Optional<DocumentVersion> synced(String name) throws StoreException {
        return delegate.synced(name);
    }

    @Override
    public void markSynced(String name, long version) throws StoreException {
        delegate.markSynced(name, version);
    }

    @Override
    public List<DocumentVersion> unsynced() throws StoreException {
        return delegate.unsynced();
    }

    @Override
    public List<ClinicDefaults> defaults() throws StoreException {
        return delegate.defaults();
    }

    @Override
    public OptionalLong lastFullBackupMillis() throws StoreException {
        return delegate.lastFullBackupMillis();
    }

    @Override
    public void fullBackupDone(long atMillis) throws StoreException {
        delegate.fullBackupDone(atMillis);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
