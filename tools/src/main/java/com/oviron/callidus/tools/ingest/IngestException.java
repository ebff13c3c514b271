package com.oviron.callidus.tools.ingest;

/** The database or the broker failed; the message says which and why. */
public final class IngestException extends Exception {
    public IngestException(String message, Throwable cause) {
        super(message, cause);
    }

    public IngestException(String message) {
        super(message);
    }
}
