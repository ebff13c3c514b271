package com.oviron.callidus.agent.settings;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.tinylog.Logger;

/**
 * The folder where the unit's user interface keeps its settings documents ({@code installation.json},
 * {@code users/<name>.json}). Reads them without following symbolic links, and replaces a set of them as a
 * whole: every new file is written to a temp file and forced to disk first, then a commit manifest is
 * written, then the files are renamed into place; a failure before the manifest leaves the old set, a power
 * cut after it is completed by {@link #recover()} at the next start. Anything else in the folder (the
 * {@code logos/} folder, hidden files, other names) is left alone.
 */
final class SettingsFolder {
    /** Most documents read in one scan; more are ignored with a warning (bounded memory). */
    static final int MAX_DOCUMENTS = 256;
    static final String MANIFEST = ".settings-commit.json";

    /** Writes and forces one temp file; a seam so tests can make the Nth write fail. */
    @FunctionalInterface
    interface TempWriter {
        void write(Path temp, byte[] bytes) throws IOException;
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

    private final Path root;
    private final TempWriter writer;
    private final Set<String> warnedAbout = new java.util.HashSet<>();

    SettingsFolder(Path root) {
        this(root, AtomicFiles::writeAndSync);
    }

    SettingsFolder(Path root, TempWriter writer) {
        this.root = root.toAbsolutePath().normalize();
        this.writer = writer;
    }

    Path root() {
        return root;
    }

    Path pathOf(DocumentName name) {
        return root.resolve(name.path());
    }

    /** Creates the folder if needed, completes a commit interrupted by a power cut, removes stray temp files. */
    void recover() throws IOException {
        Files.createDirectories(root);
        Path manifest = root.resolve(MANIFEST);
        if (Files.exists(manifest, LinkOption.NOFOLLOW_LINKS)) {
            try {
                JsonObject m = JsonParser.parseString(Files.readString(manifest, StandardCharsets.UTF_8))
                        .getAsJsonObject();
                int moved = 0;
                for (JsonElement e : m.getAsJsonArray("renames")) {
                    Path from = tempPath(e.getAsJsonObject().get("from").getAsString());
                    Path to = pathOf(new DocumentName(e.getAsJsonObject().get("to").getAsString()));
                    if (Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
                        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                        moved++;
                    }
                }
                for (JsonElement e : m.getAsJsonArray("deletes")) {
                    Files.deleteIfExists(pathOf(new DocumentName(e.getAsString())));
                }
                syncFolders();
                Logger.warn("settings write interrupted by a stop was completed folder={} renamed={}", root, moved);
            } catch (RuntimeException e) {
                Logger.error("settings commit manifest unreadable, ignored folder={} error={}", root, e.getMessage());
            }
            Files.delete(manifest);
            AtomicFiles.syncDirectory(root);
        }
        for (Path dir : List.of(root, root.resolve(DocumentName.USERS_FOLDER))) {
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, p -> AtomicFiles.isTemp(p))) {
                    for (Path temp : files) {
                        Files.deleteIfExists(temp);
                    }
                }
            }
        }
    }

    private Path tempPath(String name) {
        Path p = root.resolve(name).normalize();
        if (!p.startsWith(root.normalize()) || !AtomicFiles.isTemp(p)) {
            throw new IllegalArgumentException("not a temp file of this folder: " + name);
        }
        return p;
    }

    /** Reads every document in the folder (at most {@link #MAX_DOCUMENTS}; more make the snapshot incomplete). */
    Snapshot scan() throws IOException {
        Map<DocumentName, byte[]> files = new TreeMap<>();
        Map<DocumentName, String> unreadable = new TreeMap<>();
        if (!Files.isDirectory(root)) {
            return new Snapshot(files, unreadable, true);
        }
        boolean complete = true;
        if (Files.exists(root.resolve(DocumentName.INSTALLATION), LinkOption.NOFOLLOW_LINKS)) {
            read(new DocumentName(DocumentName.INSTALLATION), root.resolve(DocumentName.INSTALLATION), files,
                    unreadable);
        }
        Path users = root.resolve(DocumentName.USERS_FOLDER);
        if (Files.isSymbolicLink(users)) {
            warnOnce(users.toString(), "settings users folder is a symbolic link, ignored path={}");
        } else if (Files.isDirectory(users, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(users)) {
                for (Path p : stream) {
                    String relative = DocumentName.USERS_FOLDER + "/" + p.getFileName();
                    if (p.getFileName().toString().startsWith(".")) {
                        continue;
                    }
                    if (!DocumentName.isValid(relative)) {
                        warnOnce(relative, "file in the settings folder ignored: not a settings document name path={}");
                        continue;
                    }
                    if (files.size() + unreadable.size() >= MAX_DOCUMENTS) {
                        warnOnce(users.toString(), "settings documents beyond " + MAX_DOCUMENTS + " ignored folder={}");
                        complete = false;
                        break;
                    }
                    read(new DocumentName(relative), p, files, unreadable);
                }
            }
        }
        return new Snapshot(files, unreadable, complete);
    }

    private void read(DocumentName name, Path p, Map<DocumentName, byte[]> files, Map<DocumentName, String> unreadable) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) {
                unreadable.put(name, name + ": is a symbolic link; settings must be plain files");
            } else if (!a.isRegularFile()) {
                unreadable.put(name, name + ": is not a plain file");
            } else if (a.size() > SettingsJson.MAX_BYTES) {
                unreadable.put(name, name + ": " + a.size() + " bytes, at most " + SettingsJson.MAX_BYTES + " allowed");
            } else {
                byte[] bytes = Files.readAllBytes(p);
                if (bytes.length > SettingsJson.MAX_BYTES) {
                    unreadable.put(name, name + ": " + bytes.length + " bytes, at most " + SettingsJson.MAX_BYTES
                            + " allowed");
                } else {
                    files.put(name, bytes);
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // gone between listing and reading: absent
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
        Files.createDirectories(root);
        if (Files.isSymbolicLink(root.resolve(DocumentName.USERS_FOLDER))) {
            throw new IOException("the settings users folder is a symbolic link; not writing through it");
        }
        if (writes.keySet().stream().anyMatch(n -> n.kind() == DocumentName.Kind.USER)) {
            Files.createDirectories(root.resolve(DocumentName.USERS_FOLDER));
        }
        Map<DocumentName, Path> temps = new LinkedHashMap<>();
        Map<DocumentName, Optional<byte[]>> before = new LinkedHashMap<>();
        try {
            for (Map.Entry<DocumentName, byte[]> w : writes.entrySet()) {
                Path temp = AtomicFiles.tempFor(pathOf(w.getKey()));
                temps.put(w.getKey(), temp);
                writer.write(temp, w.getValue());
            }
            for (DocumentName n : union(writes.keySet(), deletes)) {
                Path p = pathOf(n);
                before.put(n, Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Optional.of(Files.readAllBytes(p))
                        : Optional.empty());
            }
            writeManifest(temps, deletes);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temps.values());
            throw e;
        }
        List<DocumentName> done = new ArrayList<>();
        try {
            for (Map.Entry<DocumentName, Path> t : temps.entrySet()) {
                Files.move(t.getValue(), pathOf(t.getKey()), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                done.add(t.getKey());
            }
            for (DocumentName n : deletes) {
                Files.deleteIfExists(pathOf(n));
                done.add(n);
            }
            syncFolders();
        } catch (IOException | RuntimeException e) {
            revert(done, before);
            deleteQuietly(temps.values());
            Files.deleteIfExists(root.resolve(MANIFEST));
            throw e;
        }
        Files.delete(root.resolve(MANIFEST));
        AtomicFiles.syncDirectory(root);
    }

    private static List<DocumentName> union(Set<DocumentName> a, Set<DocumentName> b) {
        List<DocumentName> out = new ArrayList<>(a);
        b.stream().filter(n -> !a.contains(n)).forEach(out::add);
        return out;
    }

    private void writeManifest(Map<DocumentName, Path> temps, Set<DocumentName> deletes) throws IOException {
        JsonObject m = new JsonObject();
        JsonArray renames = new JsonArray();
        temps.forEach((name, temp) -> {
            JsonObject r = new JsonObject();
            r.addProperty("from", root.relativize(temp).toString().replace('\\', '/'));
            r.addProperty("to", name.path());
            renames.add(r);
        });
        JsonArray del = new JsonArray();
        deletes.forEach(n -> del.add(n.path()));
        m.add("renames", renames);
        m.add("deletes", del);
        AtomicFiles.replace(root.resolve(MANIFEST), SettingsJson.compact(m));
    }

    private void revert(List<DocumentName> done, Map<DocumentName, Optional<byte[]>> before) {
        for (DocumentName n : done) {
            try {
                Optional<byte[]> old = before.get(n);
                if (old.isPresent()) {
                    AtomicFiles.replace(pathOf(n), old.get());
                } else {
                    Files.deleteIfExists(pathOf(n));
                }
            } catch (IOException e) {
                Logger.error("settings document could not be put back after a failed write path={} error={}", n,
                        e.getMessage());
            }
        }
        syncFolders();
    }

    private void syncFolders() {
        AtomicFiles.syncDirectory(root);
        Path users = root.resolve(DocumentName.USERS_FOLDER);
        if (Files.isDirectory(users, LinkOption.NOFOLLOW_LINKS)) {
            AtomicFiles.syncDirectory(users);
        }
    }

    private static void deleteQuietly(Iterable<Path> paths) {
        for (Path p : paths) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                Logger.warn("temp file not removed path={} error={}", p, e.getMessage());
            }
        }
    }
}
