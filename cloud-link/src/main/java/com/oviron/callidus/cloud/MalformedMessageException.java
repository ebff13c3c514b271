package com.oviron.callidus.cloud;

/** A message that does not follow docs/protocol.md; the text names the field that is wrong. */
public class MalformedMessageException extends Exception {
    public MalformedMessageException(String message) {
        super(message);
    }

    public MalformedMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
