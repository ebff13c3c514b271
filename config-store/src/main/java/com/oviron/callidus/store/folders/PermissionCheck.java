package com.oviron.callidus.store.folders;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The check of the agent's own state and key files before it starts (docs/security.md, "What the agent refuses
 * at start"). Every problem found is collected, so that one run names them all.
 *
 * <p>Rules, for a file or folder that exists (a missing one is made by the agent with safe permissions):
 * <ul>
 *   <li>it belongs to root or to the user the agent runs as; when the agent runs as root, to root;</li>
 *   <li>{@link Kind#FOLDER} and {@link Kind#FILE}: not writable by the group or by others;</li>
 *   <li>{@link Kind#SECRET} (a key, or the configuration when it holds a password): not writable by the group,
 *       no access at all for others;</li>
 *   <li>every folder on the way to it belongs to root or the agent's user and is not writable by the group or
 *       by others, unless it has the sticky bit (like /tmp: nobody can rename or remove what is not theirs);</li>
 *   <li>a symbolic link on the way (or the entry itself) belongs to root or the agent's user; its target is
 *       checked by the same rules.</li>
 * </ul>
 */
public final class PermissionCheck {
    private static final int MAX_LINKS = 40;
    private static final int STICKY = 01000;

    /** What a checked path is. */
    public enum Kind {
        /** A folder of the agent's state. */
        FOLDER,
        /** A state file (a database, the token cache, the update state, a certificate, the configuration). */
        FILE,
        /** A key file, or the configuration file when it holds a password. */
        SECRET
    }

    private final ProcessUser user;
    private final List<String> problems = new ArrayList<>();
    private final Set<Path> folderProblemsReported = new HashSet<>();
    private final Set<String> checked = new HashSet<>();

    public PermissionCheck(ProcessUser user) {
        this.user = user;
    }

    /** Checks {@code path} as {@code kind} if it exists, and the folders and links on its way. */
    public PermissionCheck check(Path path, Kind kind, String what) {
        if (!checked.add(path.toAbsolutePath().normalize() + "\u0000" + kind)) {
            return this;
        }
        try {
            resolveAndCheck(path.toAbsolutePath().normalize(), kind, what);
        } catch (NoSuchFileException e) {
            // not there yet: the agent makes it with its own permissions
        } catch (IOException e) {
            problems.add(path + " (" + what + "): cannot be checked: " + e.getMessage());
        }
        return this;
    }

    /** Every problem found, one sentence each; empty when all is safe. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    private void resolveAndCheck(Path path, Kind kind, String what) throws IOException {
        Deque<String> todo = new ArrayDeque<>();
        path.forEach(c -> todo.addLast(c.toString()));
        Path at = path.getRoot();
        checkWay(at, what);
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
            if (a.isSymbolicLink()) {
                if (++links > MAX_LINKS) {
                    problems.add(path + " (" + what + "): too many symbolic links on the way");
                    return;
                }
                int owner = ProcessUser.ownerOf(next);
                if (!user.trusts(owner)) {
                    problems.add(path + " (" + what + "): goes through the symbolic link " + next + " of "
                            + ownerName(next, owner) + "; required: links owned by " + user.describeTrusted());
                    return;
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
                continue;
            }
            at = next;
            if (!todo.isEmpty()) {
                checkWay(at, what);
            }
        }
        checkEntry(path, at, kind, what);
    }

    private void checkWay(Path folder, String what) throws IOException {
        Map<String, Object> a = Files.readAttributes(folder, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode") & 07777;
        int owner = (Integer) a.get("uid");
        List<String> wrong = new ArrayList<>();
        if (!user.trusts(owner)) {
            wrong.add("owned by another user");
        }
        if ((mode & 022) != 0 && (mode & STICKY) == 0) {
            wrong.add("writable by " + writers(mode) + " without the sticky bit");
        }
        if (!wrong.isEmpty() && folderProblemsReported.add(folder)) {
            problems.add(folder + " (a folder on the way to the " + what + "): mode " + octal(mode) + ", owner "
                    + ownerName(folder, owner) + ": " + String.join(", ", wrong) + "; required: owned by "
                    + user.describeTrusted() + ", not writable by group or others (or with the sticky bit, like /tmp)");
        }
    }

    private void checkEntry(Path shown, Path real, Kind kind, String what) throws IOException {
        Map<String, Object> a = Files.readAttributes(real, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
        int raw = (Integer) a.get("mode");
        int mode = raw & 07777;
        int owner = (Integer) a.get("uid");
        boolean folder = (raw & 0170000) == 0040000;
        boolean file = (raw & 0170000) == 0100000;
        List<String> wrong = new ArrayList<>();
        if (kind == Kind.FOLDER && !folder) {
            wrong.add("not a folder");
        }
        if (kind != Kind.FOLDER && !file) {
            wrong.add("not a plain file");
        }
        if (!user.trusts(owner)) {
            wrong.add("owned by another user");
        }
        if ((mode & 022) != 0) {
            wrong.add("writable by " + writers(mode));
        }
        if (kind == Kind.SECRET && (mode & 07) != 0) {
            wrong.add("readable or usable by others");
        }
        if (wrong.isEmpty()) {
            return;
        }
        String name = shown.equals(real) ? shown.toString() : shown + " (-> " + real + ")";
        problems.add(name + " (" + what + "): mode " + octal(mode) + ", owner " + ownerName(real, owner) + ": "
                + String.join(", ", wrong) + "; required: " + requirement(kind, real));
    }

    private String requirement(Kind kind, Path p) {
        String owner = "owned by " + user.describeTrusted();
        return switch (kind) {
            case FOLDER -> "a folder " + owner + ", not writable by group or others (e.g. chmod 700 " + p + ")";
            case FILE -> "a plain file " + owner + ", not writable by group or others (e.g. chmod 600 " + p + ")";
            case SECRET -> "a plain file " + owner + ", no access for others and no write for the group"
                    + " (e.g. chmod 600 " + p + ")";
        };
    }

    private static String writers(int mode) {
        boolean group = (mode & 020) != 0;
        boolean others = (mode & 02) != 0;
        return group && others ? "group and others" : group ? "the group" : "others";
    }

    private static String octal(int mode) {
        return String.format("%04o", mode);
    }

    private static String ownerName(Path p, int uid) {
        try {
            return Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName() + " (uid " + uid + ")";
        } catch (IOException e) {
            return "uid " + uid;
        }
    }
}
