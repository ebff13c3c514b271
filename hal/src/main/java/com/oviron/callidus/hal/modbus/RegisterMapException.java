package com.oviron.callidus.hal.modbus;

/** The register map cannot be used; the message names the channel and the field. */
public class RegisterMapException extends Exception {
    public RegisterMapException(String message) {
        super(message);
    }

    public RegisterMapException(String message, Throwable cause) {
        super(message, cause);
    }
}
