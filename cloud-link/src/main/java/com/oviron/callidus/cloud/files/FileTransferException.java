package com.oviron.callidus.cloud.files;

/** An upload the unit cannot start (bad name, too large, too many waiting, store unavailable); nothing was kept. */
public final class FileTransferException extends Exception {
    public FileTransferException(String message) {
        super(message);
    }

    public FileTransferException(String message, Throwable cause) {
        super(message, cause);
    }
}
