package com.oviron.callidus.hal;

/** The hardware could not be read at all this time (serial device gone). Never fatal for the agent. */
public class HalException extends Exception {
    public HalException(String message) {
        super(message);
    }

    public HalException(String message, Throwable cause) {
        super(message, cause);
    }
}
