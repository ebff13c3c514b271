package com.oviron.callidus.agent.settings;

/**
 * A settings document (or a whole set of them) is refused: the message names the document and, where there is
 * one, the JSON path (RFC 6901 pointer) at fault. Nothing was written.
 */
public final class InvalidSettingsException extends Exception {
    public InvalidSettingsException(String message) {
        super(message);
    }
}
