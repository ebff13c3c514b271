package com.oviron.callidus.store;

/** The store could not do what was asked (disk full, file unreadable, schema too new). */
public class StoreException extends Exception {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
