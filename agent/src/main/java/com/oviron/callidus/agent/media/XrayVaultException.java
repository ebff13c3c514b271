package com.oviron.callidus.agent.media;

/**
 * An X-ray vault operation that did not happen: the vault is full, a file is damaged or was encrypted with
 * another key, a record is unknown, or the disk failed. The message says which, for people; it never holds
 * key material.
 */
public final class XrayVaultException extends Exception {
    public XrayVaultException(String message) {
        super(message);
    }

    public XrayVaultException(String message, Throwable cause) {
        super(message, cause);
    }
}
