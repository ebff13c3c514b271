package com.oviron.callidus.store.folders;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The user the agent runs as, by number. Files the agent trusts must belong to this user or to root (uid 0):
 * see docs/security.md.
 *
 * @param uid  the real user id of this process
 * @param name its name, for messages
 */
public record ProcessUser(int uid, String name) {
    /** The user of this process. */
    public static ProcessUser current() {
        return new ProcessUser((int) new com.sun.security.auth.module.UnixSystem().getUid(),
                System.getProperty("user.name", "?"));
    }

    public boolean isRoot() {
        return uid == 0;
    }

    /** Whether a file of this owner is trusted: root's, or this user's own. */
    public boolean trusts(int ownerUid) {
        return ownerUid == 0 || ownerUid == uid;
    }

    /** The owner's uid of {@code path} itself (a link is not followed). */
    static int ownerOf(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    /** "root or callidus (uid 998)", for messages. */
    public String describeTrusted() {
        return isRoot() ? "root" : "root or " + name + " (uid " + uid + ")";
    }
}
