package com.oviron.callidus.agent.settings;

import com.oviron.callidus.store.folders.ConfinedFolder;
import com.oviron.callidus.store.folders.UnsafeEntryException;
import com.oviron.callidus.store.state.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.tinylog.Logger;

/**
 * The folder where the unit's user interface keeps its settings documents ({@code installation.json},
 * {@code users/<name>.json}). It is the UI's folder, so every use goes through a {@link ConfinedFolder}: no
 * symbolic link is followed, not as a document, not in place of {@code users/}; only plain files with one
 * hard link are read.
 *
 * <p>It replaces a set of documents as a whole: every new file is written to a temp file in the folder and
 * forced to disk, then a commit manifest is written into the agent's own folder, then the files are renamed
 * into place; a failure before the manifest leaves the old set, a power cut after it is completed by
 * {@link #recover()} at the next start. The manifest is never kept in the settings folder, where other software
 * could plant one; one found there is refused, moved aside and reported. Anything else in the folder (the
 * {@code logos/} folder, hidden files, other names) is left alone.
 */
final class SettingsFolder {
    /** Most documents read in one scan; more are ignored with a warning (bounded memory). */
    static final int MAX_DOCUMENTS = 256;
    /** Entries of {@code users/} looked at per scan at most. */
    static final int MAX_ENTRIES = 10_000;
    /** The manifest, in the agent's own folder. */
    static final String MANIFEST = "settings-commit.json";
    /** Where older agents kept the manifest: in the settings folder. One found there now is refused. */
    static final String PLANTABLE_MANIFEST = ".settings-commit.json";
    private static final String TEMP_PREFIX = ".settings-";
    private static final String TEMP_SUFFIX = ".tmp";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    /** Writes and forces one temp file; a seam so tests can make the Nth write fail. */
    @FunctionalInterface
    interface TempWriter {
        void write(ConfinedFolder folder, String relative, byte[] bytes) throws IOException;
    }

    /**
     * What a scan found: readable documents, and documents that exist but cannot be taken (with the reason);
     * {@code complete} is false when there were more documents than are read, so absence means nothing.
     */
    record Snapshot(Map<DocumentName, byte[]> files, Map<DocumentName, String> unreadable, boolean complete) {
        Snapshot {
            files = Map.copyOf(files);
            unreadable = Map.copyOf(unreadable);
        }

        boolean exists(DocumentName name) {
            return files.containsKey(name) || unreadable.containsKey(name);
        }
    }

    private final ConfinedFolder folder;
    private final Path manifest;
    private final TempWriter writer;
    private final Set<String> warnedAbout = new java.util.HashSet<>();

    /**
     * @param stateFolder the agent's own folder, where the commit manifest is kept while a write is under way
     */
    SettingsFolder(ConfinedFolder folder, Path stateFolder) {
        this(folder, stateFolder, ConfinedFolder::writeNew);
    }

    SettingsFolder(ConfinedFolder folder, Path stateFolder, TempWriter writer) {
        this.folder = folder;
        this.manifest = stateFolder.toAbsolutePath().normalize().resolve(MANIFEST);
        this.writer = writer;
    }

    /** The folder as configured. */
    Path root() {
        return folder.configured();
    }

    /**
     * Creates the folder if needed, refuses a manifest planted in it, completes a commit interrupted by a
     * power cut (after checking every entry of its manifest) and removes stray temp files of the agent.
     */
    void recover() throws IOException {
        folder.create();
        refusePlantedManifest();
        if (Files.exists(manifest, LinkOption.NOFOLLOW_LINKS)) {
            Optional<CommitManifest> m = readManifest();
            if (m.isPresent()) {
                replay(m.get());
            }
        }
        for (String dir : List.of("", DocumentName.USERS_FOLDER)) {
            try {
                for (ConfinedFolder.Entry e : folder.list(dir, MAX_ENTRIES)) {
                    String relative = dir.isEmpty() ? e.name() : dir + "/" + e.name();
                    if (CommitManifest.isAgentTemp(relative)) {
                        folder.delete(relative);
                    }
                }
            } catch (NoSuchFileException | UnsafeEntryException e) {
                // no users/ folder, or not one to look into (refused and reported by the folder)
            }
        }
    }

    private void refusePlantedManifest() throws IOException {
        Optional<ConfinedFolder.Entry> planted = folder.entry(PLANTABLE_MANIFEST);
        if (planted.isEmpty()) {
            return;
        }
        String aside = PLANTABLE_MANIFEST + ".refused-" + STAMP.format(Instant.now());
        String outcome;
        if (planted.get().type() == ConfinedFolder.Type.FILE) {
            folder.move(PLANTABLE_MANIFEST, aside);
            outcome = "moved aside as " + aside;
        } else {
            folder.delete(PLANTABLE_MANIFEST);
            outcome = "removed (" + planted.get().type().describe() + ")";
        }
        folder.sync("");
        folder.refuse(PLANTABLE_MANIFEST, "a commit manifest in the settings folder is never the agent's (it keeps"
                + " its own in its store folder): not carried out, " + outcome);
    }

    /** The agent's manifest, checked; a damaged one is moved aside, reported and not carried out. */
    private Optional<CommitManifest> readManifest() throws IOException {
        String problem;
        try {
            BasicFileAttributes a = Files.readAttributes(manifest, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                problem = "not a plain file";
            } else if (a.size() > CommitManifest.MAX_BYTES) {
                problem = "larger than " + CommitManifest.MAX_BYTES + " bytes";
            } else {
                byte[] bytes;
                try (java.io.InputStream in = Files.newInputStream(manifest, LinkOption.NOFOLLOW_LINKS)) {
                    bytes = in.readNBytes(CommitManifest.MAX_BYTES + 1);
                }
                return Optional.of(CommitManifest.parse(bytes));
            }
        } catch (InvalidSettingsException e) {
            problem = e.getMessage();
        }
        Path aside = manifest.resolveSibling(MANIFEST + ".refused-" + STAMP.format(Instant.now()));
        Files.move(manifest, aside, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.syncFolder(manifest.getParent());
        folder.guard().refused(folder.label(), manifest.getParent().toString(), MANIFEST, "the agent's commit"
                + " manifest of a settings write is damaged (" + problem + "): not carried out, moved aside as "
                + aside.getFileName());
        return Optional.empty();
    }

    private void replay(CommitManifest m) throws IOException {
        int moved = 0;
        for (Map.Entry<String, DocumentName> r : m.renames().entrySet()) {
            try {
                if (folder.entry(r.getKey()).isPresent()) {
                    folder.move(r.getKey(), r.getValue().path());
                    moved++;
                }
            } catch (UnsafeEntryException e) {
                // a link or other odd entry put in place of a temp file or of users/: refused, reported, skipped
            }
        }
        for (DocumentName n : m.deletes()) {
            try {
                folder.delete(n.path());
            } catch (UnsafeEntryException e) {
                // likewise
            }
        }
        syncFolders();
        Files.delete(manifest);
        DurableFiles.syncFolder(manifest.getParent());
        Logger.warn("settings write interrupted by a stop was completed folder={} renamed={}", root(), moved);
    }

    /** Reads every document in the folder (at most {@link #MAX_DOCUMENTS}; more make the snapshot incomplete). */
    Snapshot scan() throws IOException {
        Map<DocumentName, byte[]> files = new TreeMap<>();
        Map<DocumentName, String> unreadable = new TreeMap<>();
        try {
            if (!Files.exists(folder.root(), LinkOption.NOFOLLOW_LINKS)) {
                return new Snapshot(files, unreadable, true); // the folder was removed: so were its documents
            }
            return scan(files, unreadable);
        } catch (NoSuchFileException e) {
            return new Snapshot(files, unreadable, true);
        } catch (UnsafeEntryException e) {
            // the folder itself is refused (e.g. replaced by a link): nothing is known, nothing taken as deleted
            return new Snapshot(files, unreadable, false);
        }
    }

    private Snapshot scan(Map<DocumentName, byte[]> files, Map<DocumentName, String> unreadable) throws IOException {
        boolean complete = true;
        read(new DocumentName(DocumentName.INSTALLATION), files, unreadable);
        Optional<ConfinedFolder.Entry> users = folder.entry(DocumentName.USERS_FOLDER);
        if (users.isPresent()) {
            List<ConfinedFolder.Entry> entries;
            try {
                entries = folder.list(DocumentName.USERS_FOLDER, MAX_ENTRIES + 1);
            } catch (UnsafeEntryException e) {
                // a link (or anything but a folder) in place of users/: reported once by the folder; its documents
                // are neither read nor taken as deleted
                return new Snapshot(files, unreadable, false);
            }
            if (entries.size() > MAX_ENTRIES) {
                warnOnce(DocumentName.USERS_FOLDER, "settings users folder has more than " + MAX_ENTRIES
                        + " entries; the rest are not read folder={}");
                complete = false;
            }
            for (ConfinedFolder.Entry e : entries.subList(0, Math.min(entries.size(), MAX_ENTRIES))) {
                String relative = DocumentName.USERS_FOLDER + "/" + e.name();
                if (e.name().startsWith(".")) {
                    continue;
                }
                if (!DocumentName.isValid(relative)) {
                    warnOnce(relative, "file in the settings folder ignored: not a settings document name path={}");
                    continue;
                }
                if (files.size() + unreadable.size() >= MAX_DOCUMENTS) {
                    warnOnce(DocumentName.USERS_FOLDER, "settings documents beyond " + MAX_DOCUMENTS
                            + " ignored folder={}");
                    complete = false;
                    break;
                }
                read(new DocumentName(relative), files, unreadable);
            }
        }
        return new Snapshot(files, unreadable, complete);
    }

    private void read(DocumentName name, Map<DocumentName, byte[]> files, Map<DocumentName, String> unreadable) {
        try {
            Optional<ConfinedFolder.Entry> e = folder.entry(name.path());
            if (e.isEmpty()) {
                return;
            }
            if (e.get().type() == ConfinedFolder.Type.FILE && e.get().size() > SettingsJson.MAX_BYTES) {
                unreadable.put(name, name + ": " + e.get().size() + " bytes, at most " + SettingsJson.MAX_BYTES
                        + " allowed");
                return;
            }
            files.put(name, folder.read(name.path(), SettingsJson.MAX_BYTES));
        } catch (NoSuchFileException e) {
            // gone between listing and reading: absent
        } catch (UnsafeEntryException e) {
            unreadable.put(name, name + ": " + e.reason());
        } catch (IOException e) {
            unreadable.put(name, name + ": cannot be read: " + e.getMessage());
        }
    }

    private void warnOnce(String key, String message) {
        if (warnedAbout.size() < 1000 && warnedAbout.add(key)) {
            Logger.warn(message, key);
        }
    }

    /**
     * Writes {@code writes} and deletes {@code deletes}, all or nothing: when this throws, the documents are as
     * they were.
     */
    void replace(Map<DocumentName, byte[]> writes, Set<DocumentName> deletes) throws IOException {
        folder.create();
        if (writes.keySet().stream().anyMatch(n -> n.kind() == DocumentName.Kind.USER)) {
            folder.createFolders(DocumentName.USERS_FOLDER);
        }
        Map<DocumentName, String> temps = new LinkedHashMap<>();
        Map<DocumentName, Optional<byte[]>> before = new LinkedHashMap<>();
        try {
            for (Map.Entry<DocumentName, byte[]> w : writes.entrySet()) {
                String temp = tempFor(w.getKey());
                temps.put(w.getKey(), temp);
                writer.write(folder, temp, w.getValue());
            }
            for (DocumentName n : union(writes.keySet(), deletes)) {
                before.put(n, current(n));
            }
            Map<String, DocumentName> renames = new LinkedHashMap<>();
            temps.forEach((name, temp) -> renames.put(temp, name));
            DurableFiles.replace(manifest, new CommitManifest(renames, deletes).encode());
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temps.values());
            throw e;
        }
        List<DocumentName> done = new ArrayList<>();
        try {
            for (Map.Entry<DocumentName, String> t : temps.entrySet()) {
                folder.move(t.getValue(), t.getKey().path());
                done.add(t.getKey());
            }
            for (DocumentName n : deletes) {
                folder.delete(n.path());
                done.add(n);
            }
            syncFolders();
        } catch (IOException | RuntimeException e) {
            revert(done, before);
            deleteQuietly(temps.values());
            Files.deleteIfExists(manifest);
            throw e;
        }
        Files.delete(manifest);
        DurableFiles.syncFolder(manifest.getParent());
    }

    /** The document's bytes now, to put back if the write fails; a refused entry counts as absent. */
    private Optional<byte[]> current(DocumentName n) throws IOException {
        try {
            return Optional.of(folder.read(n.path(), Long.MAX_VALUE));
        } catch (NoSuchFileException | UnsafeEntryException e) {
            return Optional.empty();
        }
    }

    private static String tempFor(DocumentName target) {
        String dir = target.kind() == DocumentName.Kind.USER ? DocumentName.USERS_FOLDER + "/" : "";
        return dir + TEMP_PREFIX + UUID.randomUUID() + TEMP_SUFFIX;
    }

    private static List<DocumentName> union(Set<DocumentName> a, Set<DocumentName> b) {
        List<DocumentName> out = new ArrayList<>(a);
        b.stream().filter(n -> !a.contains(n)).forEach(out::add);
        return out;
    }

    private void revert(List<DocumentName> done, Map<DocumentName, Optional<byte[]>> before) {
        for (DocumentName n : done) {
            try {
                Optional<byte[]> old = before.get(n);
                if (old.isPresent()) {
                    String temp = tempFor(n);
                    folder.writeNew(temp, old.get());
                    folder.move(temp, n.path());
                } else {
                    folder.delete(n.path());
                }
            } catch (IOException e) {
                Logger.error("settings document could not be put back after a failed write path={} error={}", n,
                        e.getMessage());
            }
        }
        syncFolders();
    }

    private void syncFolders() {
        for (String dir : List.of("", DocumentName.USERS_FOLDER)) {
            try {
                if (dir.isEmpty() || folder.entry(dir).map(e -> e.type() == ConfinedFolder.Type.FOLDER)
                        .orElse(false)) {
                    folder.sync(dir);
                }
            } catch (IOException e) {
                // some file systems refuse to open a directory; the renames themselves are still atomic there
                Logger.debug("settings folder not synced folder={} error={}", dir, e.getMessage());
            }
        }
    }

    private void deleteQuietly(Iterable<String> temps) {
        for (String t : temps) {
            try {
                folder.delete(t);
            } catch (IOException e) {
                Logger.warn("temp file not removed path={} error={}", t, e.getMessage());
            }
        }
    }
}
