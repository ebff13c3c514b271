package com.oviron.callidus.cloud.files;

import java.nio.file.Path;

/**
 * Takes a file that arrived whole from the cloud: its size and SHA-256 already match what the offer
 * declared. The handler checks it for its kind (format, dimensions, ...) before anything is installed, and
 * installs it atomically; it may move or delete {@code verifiedFile}. Runs on the transfer's thread.
 */
@FunctionalInterface
public interface ReceivedFileHandler {
    /**
     * @param name the file name from the offer, already checked to be a safe plain name (no path)
     * @throws FileRejectedException when the file must not be installed; the unit keeps what it had
     */
    void accept(FileKind kind, String name, Path verifiedFile) throws FileRejectedException;
}
