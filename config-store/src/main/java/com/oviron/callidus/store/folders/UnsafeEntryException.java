package com.oviron.callidus.store.folders;

import java.io.IOException;

/**
 * An entry of a {@link ConfinedFolder} the agent refuses to use: a symbolic link (as the entry or in place of a
 * sub-folder), something other than a plain file (a FIFO, a device, a socket) or folder, a file with more than
 * one hard link, a name that would leave the folder, a file larger than allowed, an entry that changed while it
 * was opened, or an open that did not finish in time. Its message names the folder, the entry and the reason.
 */
public final class UnsafeEntryException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String entry;
    private final String reason;
    private final boolean reported;

    /**
     * @param reported whether the refusal was already logged and alarmed by the {@link FolderGuard} (callers
     *                 then need not log it again)
     */
    public UnsafeEntryException(String folder, String entry, String reason, boolean reported) {
        super(folder + " folder: '" + FolderGuard.printable(entry) + "' refused: " + reason);
        this.entry = entry;
        this.reason = reason;
        this.reported = reported;
    }

    /** The entry, relative to its folder ({@code ""} for the folder itself). */
    public String entry() {
        return entry;
    }

    /** Why it was refused, for people. */
    public String reason() {
        return reason;
    }

    /** Whether the guard logged (and alarmed) it already: a caller logs only what was not reported. */
    public boolean reported() {
        return reported;
    }
}
