package com.oviron.callidus.agent.media;

import com.oviron.callidus.store.folders.ConfinedFolder;
import java.io.IOException;
import java.io.InputStream;

/**
 * The few file-system steps that make an install or a vault write crash-safe, each on an entry of a
 * {@link ConfinedFolder} (never through a symbolic link). A seam so tests can stop the sequence at any step (a
 * "kill point") and check that what is left is either the old or the new file.
 */
interface DurableFiles {

    /** Creates {@code name} (which must not exist), writes all of {@code content} and fsyncs it. */
    void writeNew(ConfinedFolder folder, String name, InputStream content) throws IOException;

    /** Renames atomically, replacing {@code target} if it exists (same folder only). */
    void rename(ConfinedFolder folder, String source, String target) throws IOException;

    /** fsyncs a folder so that renames and deletions in it survive a power cut. */
    void syncFolder(ConfinedFolder folder) throws IOException;

    void deleteIfExists(ConfinedFolder folder, String name) throws IOException;

    /** The real thing. */
    DurableFiles LOCAL = new LocalDurableFiles();
}
