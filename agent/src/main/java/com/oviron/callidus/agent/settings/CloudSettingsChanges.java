package com.oviron.callidus.agent.settings;

import com.google.gson.JsonObject;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.settings.ClinicDefaults;
import com.oviron.callidus.store.settings.DocumentVersion;
import com.oviron.callidus.store.settings.NewDefaults;
import com.oviron.callidus.store.settings.NewVersion;
import com.oviron.callidus.store.settings.Origin;
import com.oviron.callidus.store.settings.SettingsVersions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.tinylog.Logger;

/**
 * Applies settings from the cloud (put, clinic defaults, restore) to the folder and the store, all or
 * nothing: every document is validated and merged before anything is written; the files are replaced as one
 * set ({@link SettingsFolder#replace}); then the versions are recorded in one transaction, and if that fails
 * the files are put back. Runs on the settings-sync thread, so a folder scan never sees the files before
 * their versions are recorded.
 */
final class CloudSettingsChanges {
    /** Most documents in one command. */
    static final int MAX_DOCUMENTS = 64;

    /** A document from the cloud; {@code baseVersion} is the version the cloud's edit started from, if given. */
    record Incoming(DocumentName name, JsonObject content, OptionalLong baseVersion) {
    }

    /** A conflict (or, for defaults, a room override) in one document. */
    record DocumentConflict(DocumentName name, ThreeWayMerge.Conflict conflict) {
    }

    /**
     * What was done.
     *
     * @param versions  the versions recorded (documents that did not change get none)
     * @param current   every document named in the command, as it now is (newest version)
     * @param conflicts conflicts (put) or kept room overrides (defaults)
     */
    record Applied(List<DocumentVersion> versions, List<DocumentVersion> current, List<DocumentConflict> conflicts) {
    }

    private final SettingsFolder folder;
    private final SettingsVersions versions;
    private final java.time.Clock clock;

    CloudSettingsChanges(SettingsFolder folder, SettingsVersions versions, java.time.Clock clock) {
        this.folder = folder;
        this.versions = versions;
        this.clock = clock;
    }

    /** Three-way merge of each document against its base; conflicts go to {@code owner}. */
    Applied put(List<Incoming> documents, ThreeWayMerge.Owner owner, String note)
            throws InvalidSettingsException, StoreException, IOException {
        checkSet(documents);
        Map<DocumentName, JsonObject> writes = new LinkedHashMap<>();
        List<DocumentConflict> conflicts = new ArrayList<>();
        for (Incoming in : documents) {
            Optional<JsonObject> ours = current(in.name());
            JsonObject base = base(in);
            SettingsJson.check(in.name(), in.content());
            if (ours.isPresent()) {
                SettingsJson.checkTypesKept(in.name(), ours.get(), in.content());
            }
            ThreeWayMerge.Result r = merge(in.name(), base, ours.orElseGet(JsonObject::new), in.content(), owner);
            r.conflicts().forEach(c -> conflicts.add(new DocumentConflict(in.name(), c)));
            if (ours.isEmpty() || !JsonValues.same(ours.get(), r.merged())) {
                writes.put(in.name(), r.merged());
            }
        }
        return apply(documents, writes, Set.of(), Origin.CLOUD, note, List.of(), conflicts);
    }

    /**
     * New clinic defaults: per document a three-way merge with base = the previous defaults, cloud = the new
     * defaults, local = the document; a conflict is a room override and the room keeps its value. A document
     * the unit does not have is created from the defaults.
     */
    Applied defaults(String clinic, List<Incoming> documents) throws InvalidSettingsException, StoreException,
            IOException {
        checkSet(documents);
        Map<String, ClinicDefaults> previous = new LinkedHashMap<>();
        for (ClinicDefaults d : versions.defaults()) {
            previous.put(d.name(), d);
        }
        Map<DocumentName, JsonObject> writes = new LinkedHashMap<>();
        List<DocumentConflict> overrides = new ArrayList<>();
        List<NewDefaults> newDefaults = new ArrayList<>();
        for (Incoming in : documents) {
            SettingsJson.check(in.name(), in.content());
            ClinicDefaults before = previous.get(in.name().path());
            JsonObject base = before == null ? new JsonObject() : stored(in.name(), before.content());
            Optional<JsonObject> ours = current(in.name());
            if (ours.isPresent()) {
                SettingsJson.checkTypesKept(in.name(), ours.get(), in.content());
            }
            ThreeWayMerge.Result r = merge(in.name(), base, ours.orElse(base), in.content(), ThreeWayMerge.Owner.LOCAL);
            r.conflicts().forEach(c -> overrides.add(new DocumentConflict(in.name(), c)));
            if (ours.isEmpty() || !JsonValues.same(ours.get(), r.merged())) {
                writes.put(in.name(), r.merged());
            }
            newDefaults.add(new NewDefaults(clinic, in.name().path(), SettingsJson.compact(in.content())));
        }
        return apply(documents, writes, Set.of(), Origin.DEFAULTS, "clinic " + clinic, newDefaults, overrides);
    }

    /** Replaces the whole set: the documents given, and no others. */
    Applied restore(List<Incoming> documents, String note) throws InvalidSettingsException, StoreException,
            IOException {
        checkSet(documents);
        if (documents.isEmpty()) {
            throw new InvalidSettingsException("a restore needs at least one document");
        }
        Map<DocumentName, JsonObject> writes = new LinkedHashMap<>();
        for (Incoming in : documents) {
            SettingsJson.check(in.name(), in.content());
            writes.put(in.name(), in.content());
        }
        Set<DocumentName> deletes = new java.util.TreeSet<>();
        SettingsFolder.Snapshot now = folder.scan();
        for (DocumentName n : union(now.files().keySet(), now.unreadable().keySet())) {
            if (!writes.containsKey(n)) {
                deletes.add(n);
            }
        }
        for (DocumentVersion v : versions.latestAll()) {
            if (!v.deleted() && DocumentName.isValid(v.name()) && !writes.containsKey(new DocumentName(v.name()))) {
                deletes.add(new DocumentName(v.name()));
            }
        }
        return apply(documents, writes, deletes, Origin.RESTORE, note, List.of(), List.of());
    }

    private static Set<DocumentName> union(Set<DocumentName> a, Set<DocumentName> b) {
        Set<DocumentName> out = new java.util.TreeSet<>(a);
        out.addAll(b);
        return out;
    }

    private Applied apply(List<Incoming> named, Map<DocumentName, JsonObject> writes, Set<DocumentName> deletes,
                          Origin origin, String note, List<NewDefaults> newDefaults, List<DocumentConflict> conflicts)
            throws StoreException, IOException, InvalidSettingsException {
        Map<DocumentName, byte[]> bytes = new LinkedHashMap<>();
        List<NewVersion> changes = new ArrayList<>();
        for (Map.Entry<DocumentName, JsonObject> w : writes.entrySet()) {
            byte[] b = SettingsJson.fileBytes(w.getValue());
            if (b.length > SettingsJson.MAX_BYTES) {
                throw new InvalidSettingsException(w.getKey() + ": " + b.length + " bytes after merging, at most "
                        + SettingsJson.MAX_BYTES + " allowed");
            }
            bytes.put(w.getKey(), b);
            changes.add(NewVersion.of(w.getKey().path(), b, origin, note));
        }
        Map<DocumentName, Optional<byte[]>> before = new LinkedHashMap<>();
        for (DocumentName n : deletes) {
            changes.add(NewVersion.deletion(n.path(), origin, note));
        }
        SettingsFolder.Snapshot old = folder.scan();
        for (DocumentName n : union(bytes.keySet(), deletes)) {
            if (!old.unreadable().containsKey(n)) {
                // an unreadable file (too large, not a plain file) is not put back: the cloud's version replaced it
                before.put(n, Optional.ofNullable(old.files().get(n)));
            }
        }
        folder.replace(bytes, deletes);
        List<DocumentVersion> recorded;
        try {
            recorded = versions.record(changes, newDefaults, clock.millis());
        } catch (StoreException | RuntimeException e) {
            putBack(before);
            throw e;
        }
        List<DocumentVersion> current = new ArrayList<>();
        for (Incoming in : named) {
            versions.latest(in.name().path()).ifPresent(current::add);
        }
        return new Applied(recorded, current, conflicts);
    }

    private void putBack(Map<DocumentName, Optional<byte[]>> before) {
        Map<DocumentName, byte[]> rewrite = new LinkedHashMap<>();
        Set<DocumentName> remove = new HashSet<>();
        before.forEach((n, b) -> {
            if (b.isPresent()) {
                rewrite.put(n, b.get());
            } else {
                remove.add(n);
            }
        });
        try {
            folder.replace(rewrite, remove);
            Logger.warn("settings files put back after the store refused the change documents={}", before.size());
        } catch (IOException e) {
            Logger.error("settings files could not be put back after the store refused the change; the next scan"
                    + " records them as local changes documents={} error={}", before.size(), e.getMessage());
        }
    }

    private static void checkSet(List<Incoming> documents) throws InvalidSettingsException {
        if (documents.size() > MAX_DOCUMENTS) {
            throw new InvalidSettingsException("at most " + MAX_DOCUMENTS + " documents per command, got "
                    + documents.size());
        }
        Set<DocumentName> seen = new HashSet<>();
        for (Incoming in : documents) {
            if (!seen.add(in.name())) {
                throw new InvalidSettingsException(in.name() + ": given twice");
            }
        }
    }

    /** The document as the unit has it now (its newest recorded version), empty if it has none. */
    private Optional<JsonObject> current(DocumentName name) throws StoreException, InvalidSettingsException {
        Optional<DocumentVersion> latest = versions.latest(name.path());
        if (latest.isEmpty() || latest.get().deleted()) {
            return Optional.empty();
        }
        return Optional.of(stored(name, latest.get().content()));
    }

    private JsonObject base(Incoming in) throws StoreException, InvalidSettingsException {
        if (in.baseVersion().isPresent()) {
            long wanted = in.baseVersion().getAsLong();
            if (wanted == 0) {
                return new JsonObject();
            }
            Optional<DocumentVersion> v = versions.version(in.name().path(), wanted);
            if (v.isEmpty()) {
                long latest = versions.latest(in.name().path()).map(DocumentVersion::version).orElse(0L);
                throw new InvalidSettingsException(in.name() + ": baseVersion " + wanted + " is not kept on the unit"
                        + " (newest is " + latest + "); get the document again and redo the edit on it");
            }
            return v.get().deleted() ? new JsonObject() : stored(in.name(), v.get().content());
        }
        Optional<DocumentVersion> synced = versions.synced(in.name().path());
        return synced.isEmpty() || synced.get().deleted() ? new JsonObject()
                : stored(in.name(), synced.get().content());
    }

    private static JsonObject stored(DocumentName name, byte[] content) throws InvalidSettingsException {
        try {
            return SettingsJson.parse(name, content);
        } catch (InvalidSettingsException e) {
            throw new InvalidSettingsException("the unit's stored version is unreadable (" + e.getMessage() + ")");
        }
    }

    private static ThreeWayMerge.Result merge(DocumentName name, JsonObject base, JsonObject ours, JsonObject theirs,
                                              ThreeWayMerge.Owner owner) throws InvalidSettingsException {
        try {
            return ThreeWayMerge.merge(base, ours, theirs, owner);
        } catch (InvalidSettingsException e) {
            throw new InvalidSettingsException(name + ": " + e.getMessage());
        }
    }
}
