package com.oviron.callidus.agent.media;

import com.oviron.callidus.store.folders.ConfinedFolder;
import java.io.IOException;
import java.io.InputStream;

/** {@link DurableFiles} on the local file system: FileChannel.force for files, and for folders on Linux. */
final class LocalDurableFiles implements DurableFiles {
    @Override
    public void writeNew(ConfinedFolder folder, String name, InputStream content) throws IOException {
        folder.writeNew(name, content);
    }

    @Override
    public void rename(ConfinedFolder folder, String source, String target) throws IOException {
        folder.move(source, target);
    }

    @Override
    public void syncFolder(ConfinedFolder folder) throws IOException {
        // Linux allows fsync on a folder opened read-only; other systems may refuse, which costs only
        // durability of the rename on a power cut, never atomicity
        try {
            folder.sync("");
        } catch (IOException e) {
            if (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
                throw e;
            }
        }
    }

    @Override
    public void deleteIfExists(ConfinedFolder folder, String name) throws IOException {
        folder.delete(name);
    }
}
