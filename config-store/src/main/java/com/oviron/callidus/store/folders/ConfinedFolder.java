package com.oviron.callidus.store.folders;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.tinylog.Logger;

/**
 * A folder that other software can write (the UI's settings and display folders, the X-ray capture and viewer
 * folders) or that holds files the agent sends (its transfer folder), used so that nothing below it is ever
 * reached through a symbolic link: every operation opens the folder, checks that it is still the folder it
 * was (not replaced by a link), and walks down to the entry one component at a time with
 * {@link LinkOption#NOFOLLOW_LINKS} relative to the opened folder ({@link SecureDirectoryStream}: openat,
 * fstatat, renameat, unlinkat), never through a path a second time.
 *
 * <p>Rules (docs/security.md):
 * <ul>
 *   <li>Names are relative, '/'-separated, without empty, {@code .} or {@code ..} components: nothing leaves the
 *       folder.</li>
 *   <li>A symbolic link is never followed below the folder: not as the entry, not in place of a sub-folder.
 *       Links on the configured path of the folder itself are the administrator's choice and are followed,
 *       once, when the folder is first used, only if they belong to root or the agent's user; the folder's
 *       real path is then fixed for the life of the process.</li>
 *   <li>A file is read only if it is a plain file with exactly one hard link, and it is opened without
 *       following a link, then checked again to be the same file (same device and inode) as the one checked
 *       before the open. Opens have a deadline ({@link FolderGuard}): a FIFO put in place in between cannot
 *       hold the caller.</li>
 *   <li>New files are created exclusively (never through an existing name); renames and deletions replace or
 *       remove the entry itself, never what a link points to.</li>
 * </ul>
 * Every refusal is an {@link UnsafeEntryException} and is reported once to the {@link FolderGuard}.
 *
 * <p>Thread-safe: it keeps no state but the resolved real path.
 */
public final class ConfinedFolder {
    /** Most components a name may have. */
    static final int MAX_DEPTH = 8;
    private static final int MAX_LINKS_ON_PATH = 40;

    /** What an entry is, seen without following a link. */
    public enum Type {
        FILE, FOLDER, LINK, OTHER;

        static Type of(BasicFileAttributes a) {
            if (a.isSymbolicLink()) {
                return LINK;
            }
            if (a.isDirectory()) {
                return FOLDER;
            }
            return a.isRegularFile() ? FILE : OTHER;
        }

        /** For messages: "a symbolic link", "a folder", ... */
        public String describe() {
            return switch (this) {
                case FILE -> "a plain file";
                case FOLDER -> "a folder";
                case LINK -> "a symbolic link";
                case OTHER -> "not a plain file (a FIFO, socket or device)";
            };
        }
    }

    /**
     * One entry of a folder as {@code lstat} sees it.
     *
     * @param name     the entry's name (last component)
     * @param type     what it is
     * @param size     its size in bytes
     * @param modified its modification time
     * @param fileKey  device and inode: the same value means the same file
     */
    public record Entry(String name, Type type, long size, FileTime modified, Object fileKey) {
        static Entry of(String name, BasicFileAttributes a) {
            return new Entry(name, Type.of(a), a.size(), a.lastModifiedTime(), a.fileKey());
        }

        /** Same file, same size, same time stamp. */
        public boolean sameAs(Entry other) {
            return other != null && type == other.type && size == other.size && modified.equals(other.modified)
                    && Objects.equals(fileKey, other.fileKey);
        }
    }

    private final Path configured;
    private final String label;
    private final FolderGuard guard;
    private final ProcessUser user;
    private volatile Path root;

    private ConfinedFolder(Path configured, String label, FolderGuard guard, ProcessUser user) {
        this.configured = configured;
        this.label = label;
        this.guard = guard;
        this.user = user;
    }

    /**
     * A folder by its configured path; nothing is read from disk until it is first used.
     *
     * @param label what the folder is, for messages: "settings", "display", "x-ray capture", ...
     */
    public static ConfinedFolder of(Path configured, String label, FolderGuard guard) {
        return new ConfinedFolder(configured.toAbsolutePath().normalize(), Objects.requireNonNull(label, "label"),
                Objects.requireNonNull(guard, "guard"), ProcessUser.current());
    }

    public String label() {
        return label;
    }

    /** The path as configured (absolute, normalized). */
    public Path configured() {
        return configured;
    }

    public FolderGuard guard() {
        return guard;
    }

    /** A path for messages and logs: the real path once known, else the configured one. */
    public Path pathOf(String relative) {
        Path r = root;
        return (r == null ? configured : r).resolve(relative);
    }

    /**
     * Creates the folder (and missing parents) if needed and returns its real path. A link of another user on
     * the existing part of the path is refused before anything is made.
     */
    public Path create() throws IOException {
        if (root == null) {
            try {
                resolveTrusted(configured);
            } catch (NoSuchFileException e) {
                // every link up to the first missing folder is trusted: make the rest
                Files.createDirectories(configured);
            }
        }
        return root();
    }

    /**
     * The folder's real path. Resolved once, on the first call that finds the folder: every symbolic link on
     * the configured path must belong to root or to the agent's user.
     *
     * @throws NoSuchFileException   when the folder does not exist (yet)
     * @throws UnsafeEntryException  when a link on the way belongs to another user
     */
    public Path root() throws IOException {
        Path r = root;
        if (r != null) {
            return r;
        }
        synchronized (this) {
            if (root == null) {
                Path real = resolveTrusted(configured);
                if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
                    throw new NotDirectoryException(real.toString());
                }
                if (!real.equals(configured)) {
                    Logger.info("shared folder is reached through a symbolic link folder={} configured={} real={}",
                            label, configured, real);
                }
                root = real;
            }
            return root;
        }
    }

    /** Whether the folder exists now (as a folder, not replaced by a link). */
    public boolean exists() {
        try {
            return Files.isDirectory(root(), LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return false;
        }
    }

    /** The entry at {@code relative}, or empty when it (or a folder on the way) does not exist. */
    public Optional<Entry> entry(String relative) throws IOException {
        List<String> parts = parts(relative);
        try (Dir d = openParent(parts)) {
            return d.entry(last(parts));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * The entries of the folder {@code relative} ({@code ""}: this folder), at most {@code max}, as they are
     * listed; entries that vanish while listed are left out.
     */
    public List<Entry> list(String relative, int max) throws IOException {
        List<Entry> out = new ArrayList<>();
        try (Dir d = openFolder(relative)) {
            for (Path p : d.stream) {
                if (out.size() >= max) {
                    break;
                }
                d.entry(p.getFileName().toString()).ifPresent(out::add);
            }
        }
        return out;
    }

    /**
     * Opens a plain file for reading: not a link, not a FIFO or device, one hard link, at most {@code maxBytes};
     * the opened file is checked to be the one that was checked.
     *
     * @throws NoSuchFileException  when it does not exist
     * @throws UnsafeEntryException when it is refused (the message says why)
     */
    public OpenFile open(String relative, long maxBytes) throws IOException {
        return open(relative, maxBytes, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
    }

    /** Like {@link #open}, for reading and writing in place (a part file that a download goes on writing). */
    public OpenFile openToUpdate(String relative, long maxBytes) throws IOException {
        return open(relative, maxBytes, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS));
    }

    /** Creates {@code relative}, which must not exist, and returns it open for reading and writing. */
    public FileChannel createNew(String relative) throws IOException {
        List<String> parts = parts(relative);
        try (Dir d = openParent(parts)) {
            return (FileChannel) d.stream.newByteChannel(Path.of(last(parts)), Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
        }
    }

    private OpenFile open(String relative, long maxBytes, Set<OpenOption> options) throws IOException {
        List<String> parts = parts(relative);
        try (Dir d = openParent(parts)) {
            String name = last(parts);
            Entry before = d.entry(name).orElseThrow(() -> new NoSuchFileException(pathOf(relative).toString()));
            requirePlainFile(relative, before);
            if (before.size() > maxBytes) {
                throw refuse(relative, before.size() + " bytes, more than the " + maxBytes + " allowed", false);
            }
            long links = linkCount(relative, before);
            if (links != 1) {
                throw refuse(relative, "has " + links + " hard links; a file here must have no other name (a hard"
                        + " link can make a file from elsewhere appear here)", true);
            }
            SeekableByteChannel ch = guard.open(() -> d.stream.newByteChannel(Path.of(name), options), label,
                    pathOf("").toString(), relative);
            try {
                Entry after = d.entry(name).orElse(null);
                if (after == null || after.type() != Type.FILE || !Objects.equals(after.fileKey(), before.fileKey())) {
                    throw refuse(relative, "was replaced while it was opened", true);
                }
                return new OpenFile(relative, (FileChannel) ch, after);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }
    }

    /** Reads a whole plain file ({@link #open} rules), at most {@code maxBytes}. */
    public byte[] read(String relative, long maxBytes) throws IOException {
        try (OpenFile f = open(relative, maxBytes)) {
            return f.readAll(maxBytes);
        }
    }

    /** Creates {@code relative}, which must not exist, writes {@code content} and forces it to disk. */
    public void writeNew(String relative, InputStream content) throws IOException {
        writeNew(relative, content, Optional.empty());
    }

    /** Like {@link #writeNew(String, InputStream)}, with these permissions from the start (e.g. owner-only). */
    public void writeNew(String relative, InputStream content, Optional<Set<PosixFilePermission>> permissions)
            throws IOException {
        List<String> parts = parts(relative);
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        FileAttribute<?>[] attrs = permissions.map(p -> new FileAttribute<?>[] {
                PosixFilePermissions.asFileAttribute(p)}).orElse(new FileAttribute<?>[0]);
        try (Dir d = openParent(parts);
             FileChannel out = (FileChannel) d.stream.newByteChannel(Path.of(last(parts)), options, attrs)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = content.read(buffer)) > 0) {
                ByteBuffer b = ByteBuffer.wrap(buffer, 0, n);
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
            out.force(true);
        }
    }

    /** {@link #writeNew(String, InputStream)} of a byte array. */
    public void writeNew(String relative, byte[] content) throws IOException {
        writeNew(relative, new java.io.ByteArrayInputStream(content));
    }

    /**
     * Renames the plain file {@code from} to {@code to} atomically, replacing the entry {@code to} (whatever it
     * is, a link included: the link itself is replaced, never its target).
     */
    public void move(String from, String to) throws IOException {
        List<String> src = parts(from);
        List<String> dst = parts(to);
        try (Dir s = openParent(src)) {
            Entry e = s.entry(last(src)).orElseThrow(() -> new NoSuchFileException(pathOf(from).toString()));
            requirePlainFile(from, e);
            if (src.subList(0, src.size() - 1).equals(dst.subList(0, dst.size() - 1))) {
                s.stream.move(Path.of(last(src)), s.stream, Path.of(last(dst)));
                return;
            }
            try (Dir t = openParent(dst)) {
                s.stream.move(Path.of(last(src)), t.stream, Path.of(last(dst)));
            }
        }
    }

    /**
     * Removes the entry {@code relative} (a file, a link or a FIFO: the entry itself); a folder is refused.
     *
     * @return whether there was one
     */
    public boolean delete(String relative) throws IOException {
        List<String> parts = parts(relative);
        try (Dir d = openParent(parts)) {
            String name = last(parts);
            Optional<Entry> e = d.entry(name);
            if (e.isEmpty()) {
                return false;
            }
            if (e.get().type() == Type.FOLDER) {
                throw refuse(relative, "is a folder; only files are deleted here", true);
            }
            try {
                d.stream.deleteFile(Path.of(name));
                return true;
            } catch (NoSuchFileException gone) {
                return false;
            }
        }
    }

    /** Forces the entries of the folder {@code relative} ({@code ""}: this one) to disk. */
    public void sync(String relative) throws IOException {
        try (Dir d = openFolder(relative);
             FileChannel ch = (FileChannel) d.stream.newByteChannel(Path.of("."), Set.of(StandardOpenOption.READ))) {
            ch.force(true);
        }
    }

    /** Creates the folder {@code relative} and the folders on the way where missing; a link on the way is refused. */
    public void createFolders(String relative) throws IOException {
        List<String> parts = parts(relative);
        for (int i = 1; i <= parts.size(); i++) {
            List<String> prefix = parts.subList(0, i);
            try (Dir d = openParent(prefix)) {
                Optional<Entry> e = d.entry(last(prefix));
                if (e.isPresent()) {
                    if (e.get().type() != Type.FOLDER) {
                        throw refuse(String.join("/", prefix), e.get().type().describe() + " in place of a folder",
                                true);
                    }
                    continue;
                }
                // no mkdirat in Java: the parent was just checked; a race can at worst make an empty folder
                // elsewhere, and the check below refuses to go on through it
                Files.createDirectory(root().resolve(String.join("/", prefix)));
            }
            // opened without following a link: it is a real folder below this one
            openFolder(String.join("/", prefix)).close();
        }
    }

    /** Sets the modification time of the entry itself (never of what a link points to). */
    public void setModified(String relative, FileTime time) throws IOException {
        List<String> parts = parts(relative);
        try (Dir d = openParent(parts)) {
            String name = last(parts);
            Entry e = d.entry(name).orElseThrow(() -> new NoSuchFileException(pathOf(relative).toString()));
            requirePlainFile(relative, e);
            // setTimes opens the file (O_NOFOLLOW): with the deadline, as any open here
            guard.open(() -> {
                d.stream.getFileAttributeView(Path.of(name), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(time, null, null);
                return (AutoCloseable) () -> { };
            }, label, pathOf("").toString(), relative);
        }
    }

    /**
     * Reports an entry the caller refuses (e.g. a link it found in a listing) like the folder's own refusals:
     * logged and alarmed once.
     */
    public UnsafeEntryException refuse(String relative, String reason) {
        return refuse(relative, reason, true);
    }

    private UnsafeEntryException refuse(String relative, String reason, boolean alarm) {
        if (alarm) {
            guard.refused(label, pathOf("").toString(), relative, reason);
        }
        return new UnsafeEntryException(label, relative, reason, alarm);
    }

    private void requirePlainFile(String relative, Entry e) throws UnsafeEntryException {
        if (e.type() != Type.FILE) {
            throw refuse(relative, "is " + e.type().describe() + "; only plain files are used here", true);
        }
    }

    private long linkCount(String relative, Entry checked) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(root().resolve(relative), "unix:nlink,fileKey", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException e) {
            return 1; // no unix view: no hard link count to check (not Linux)
        } catch (NoSuchFileException e) {
            throw refuse(relative, "was replaced while it was checked", true);
        }
        if (!Objects.equals(a.get("fileKey"), checked.fileKey())) {
            throw refuse(relative, "was replaced while it was checked", true);
        }
        return ((Number) a.get("nlink")).longValue();
    }

    /** The components of a name, or a refusal when it could leave the folder. */
    List<String> parts(String relative) throws UnsafeEntryException {
        if (relative == null || relative.isEmpty() || relative.startsWith("/")) {
            throw refuse(String.valueOf(relative), "an empty or absolute name", true);
        }
        List<String> parts = Arrays.asList(relative.split("/", -1));
        if (parts.size() > MAX_DEPTH) {
            throw refuse(relative, "more than " + MAX_DEPTH + " folders deep", true);
        }
        for (String p : parts) {
            if (p.isEmpty() || p.equals(".") || p.equals("..") || p.indexOf('\0') >= 0 || p.length() > 255) {
                throw refuse(relative, "a name that could leave the folder (empty, '.' or '..' component)", true);
            }
        }
        return parts;
    }

    private static String last(List<String> parts) {
        return parts.get(parts.size() - 1);
    }

    /** The folder itself, opened and checked to be what its path names now (not a link, not replaced). */
    private Dir openRoot() throws IOException {
        Path r = root();
        BasicFileAttributes before = Files.readAttributes(r, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!before.isDirectory()) {
            throw refuse("", "the folder itself is now " + Type.of(before).describe(), true);
        }
        DirectoryStream<Path> ds = guard.open(() -> Files.newDirectoryStream(r), label, r.toString(), "");
        if (!(ds instanceof SecureDirectoryStream<Path> sds)) {
            ds.close();
            throw new IOException("this platform cannot open folders without following symbolic links (no"
                    + " SecureDirectoryStream); the agent needs Linux");
        }
        Dir d = new Dir(sds, "");
        Object key = d.self().fileKey();
        if (!Objects.equals(key, before.fileKey())) {
            d.close();
            throw refuse("", "the folder was replaced while it was opened", true);
        }
        return d;
    }

    /** The folder that holds the last component of {@code parts}, every folder on the way opened without links. */
    private Dir openParent(List<String> parts) throws IOException {
        Dir d = openRoot();
        try {
            for (int i = 0; i < parts.size() - 1; i++) {
                Dir next = d.child(parts.get(i));
                d.close();
                d = next;
            }
            return d;
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    private Dir openFolder(String relative) throws IOException {
        if (relative.isEmpty()) {
            return openRoot();
        }
        List<String> parts = parts(relative);
        Dir parent = openParent(parts);
        try {
            return parent.child(last(parts));
        } finally {
            parent.close();
        }
    }

    /** One opened folder; everything below it is reached relative to it. */
    private final class Dir implements Closeable {
        final SecureDirectoryStream<Path> stream;
        final String where;

        Dir(SecureDirectoryStream<Path> stream, String where) {
            this.stream = stream;
            this.where = where;
        }

        BasicFileAttributes self() throws IOException {
            return stream.getFileAttributeView(BasicFileAttributeView.class).readAttributes();
        }

        Optional<Entry> entry(String name) throws IOException {
            try {
                BasicFileAttributes a = stream.getFileAttributeView(Path.of(name), BasicFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS).readAttributes();
                return Optional.of(Entry.of(name, a));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
        }

        Dir child(String name) throws IOException {
            String rel = where.isEmpty() ? name : where + "/" + name;
            Entry e = entry(name).orElseThrow(() -> new NoSuchFileException(pathOf(rel).toString()));
            if (e.type() != Type.FOLDER) {
                throw refuse(rel, e.type().describe() + " in place of a folder", true);
            }
            SecureDirectoryStream<Path> s = guard.open(() -> stream.newDirectoryStream(Path.of(name),
                    LinkOption.NOFOLLOW_LINKS), label, pathOf("").toString(), rel);
            Dir d = new Dir(s, rel);
            try {
                if (!Objects.equals(d.self().fileKey(), e.fileKey())) {
                    throw refuse(rel, "the folder was replaced while it was opened", true);
                }
                return d;
            } catch (IOException | RuntimeException ex) {
                d.close();
                throw ex;
            }
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }

    /** A plain file opened by {@link #open}; reading it never follows anything. */
    public static final class OpenFile implements Closeable {
        private final String name;
        private final FileChannel channel;
        private final Entry entry;

        OpenFile(String name, FileChannel channel, Entry entry) {
            this.name = name;
            this.channel = channel;
            this.entry = entry;
        }

        /** The name it was opened by. */
        public String name() {
            return name;
        }

        public FileChannel channel() {
            return channel;
        }

        /** What it was when opened. */
        public Entry entry() {
            return entry;
        }

        /** A stream from the current position; closing it closes the file. */
        public InputStream stream() {
            return Channels.newInputStream(channel);
        }

        /** The rest of the file from the current position, at most {@code max} bytes (else an IOException). */
        public byte[] readAll(long max) throws IOException {
            InputStream in = Channels.newInputStream(channel);
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (bytes.length > max) {
                throw new IOException(name + ": grew beyond " + max + " bytes while it was read");
            }
            return bytes;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /**
     * Follows the configured path as the kernel would, component by component, following only symbolic
     * links that belong to root or the agent's user.
     */
    private Path resolveTrusted(Path path) throws IOException {
        Deque<String> todo = new ArrayDeque<>();
        path.forEach(c -> todo.addLast(c.toString()));
        Path at = path.getRoot();
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                at = at.getParent() == null ? at : at.getParent();
                continue;
            }
            Path next = at.resolve(c);
            BasicFileAttributes a = Files.readAttributes(next, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isSymbolicLink()) {
                at = next;
                continue;
            }
            if (++links > MAX_LINKS_ON_PATH) {
                throw new FileSystemException(path.toString(), null, "too many symbolic links on the way");
            }
            int owner = ProcessUser.ownerOf(next);
            if (!user.trusts(owner)) {
                throw refuse("", "its path goes through the symbolic link " + next + " of uid " + owner
                        + "; only links of " + user.describeTrusted() + " are followed", true);
            }
            Path target = Files.readSymbolicLink(next);
            List<String> t = new ArrayList<>();
            target.forEach(x -> t.add(x.toString()));
            for (int i = t.size() - 1; i >= 0; i--) {
                todo.addFirst(t.get(i));
            }
            if (target.isAbsolute()) {
                at = target.getRoot();
            }
        }
        return at;
    }
}
