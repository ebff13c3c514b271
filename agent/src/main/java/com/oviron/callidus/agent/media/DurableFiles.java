package com.oviron.callidus.agent.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The few file-system steps that make an install or a vault write crash-safe. A seam so tests can stop the
 * sequence at any step (a "kill point") and check that what is left is either the old or the new file.
 */
interface DurableFiles {

    /** Creates {@code target} (which must not exist), writes all of {@code content} and fsyncs it. */
    void writeNew(Path target, InputStream content) throws IOException;

    /** Renames atomically, replacing {@code target} if it exists (same folder only). */
    void rename(Path source, Path target) throws IOException;

    /** fsyncs a folder so that renames and deletions in it survive a power cut. */
    void syncFolder(Path folder) throws IOException;

    void deleteIfExists(Path file) throws IOException;

    /** The real thing. */
    DurableFiles LOCAL = new LocalDurableFiles();
}
