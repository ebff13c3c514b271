package com.oviron.callidus.agent.subscription;

import com.oviron.callidus.store.state.DurableFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The subscription's small files: written with {@link DurableFiles} (old or new content after a power cut),
 * read with a size limit, moved aside when damaged.
 */
final class AtomicFile {
    private AtomicFile() {
    }

    static void write(Path target, byte[] content) throws IOException {
        DurableFiles.replace(target, content);
    }

    /** Reads a file that must not be larger than {@code maxBytes}. */
    static byte[] read(Path file, int maxBytes) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new IOException("larger than " + maxBytes + " bytes");
            }
            return bytes;
        }
    }

    /**
     * Moves a file that cannot be used to {@code <name>.<suffix>} (replacing an earlier one, so that at most
     * one is kept) for a field technician to look at.
     */
    static Path moveAside(Path file, String suffix) throws IOException {
        Path aside = file.resolveSibling(file.getFileName() + "." + suffix);
        Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
        DurableFiles.syncFolder(file.toAbsolutePath().getParent());
        return aside;
    }
}
