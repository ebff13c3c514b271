package com.oviron.callidus.cloud.files;

/** A received file that fails the checks of its kind; the message is the reason reported to the cloud. */
public final class FileRejectedException extends Exception {
    public FileRejectedException(String reason) {
        super(reason);
    }

    public FileRejectedException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
