package com.oviron.callidus.agent.media;

/** A rollback was asked for, but there is no image to roll back to (or none to roll back from). */
public final class NoPreviousImageException extends Exception {
    public NoPreviousImageException(String message) {
        super(message);
    }
}
