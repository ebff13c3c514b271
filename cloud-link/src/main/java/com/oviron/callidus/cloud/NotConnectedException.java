package com.oviron.callidus.cloud;

/** A publish was asked for while the session to the broker is down. */
public class NotConnectedException extends Exception {
    public NotConnectedException(String message) {
        super(message);
    }
}
