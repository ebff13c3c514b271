package com.oviron.callidus.agent;

/** The configuration cannot be used; the message names the key, the value and what is allowed. */
public class ConfigException extends Exception {
    private final String key;

    public ConfigException(String key, String message) {
        super(key.isEmpty() ? message : "config key '" + key + "': " + message);
        this.key = key;
    }

    /** The dotted key that is wrong, e.g. {@code mqtt.brokerUri}; empty for the file as a whole. */
    public String key() {
        return key;
    }
}
