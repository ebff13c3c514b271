package com.oviron.callidus.cloud.paho;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.tinylog.Logger;

/**
 * Sends Paho's own log records (java.util.logging, through its JSR47Logger) to tinylog, so that a technician
 * reads one line in the agent's format instead of java.util.logging's two-line {@code SEVERE} on standard
 * error. Paho's SEVERE and WARNING become warnings, INFO becomes debug (Paho's INFO lines repeat what the
 * agent logs itself); finer records are not even made.
 */
final class PahoLogBridge extends Handler {
    static final String PAHO_LOGGER = "org.eclipse.paho.client.mqttv3";
    /** The MQTT 5 client's loggers are named after its classes. */
    static final String PAHO5_LOGGER = "org.eclipse.paho.mqttv5";
    // java.util.logging keeps loggers weakly: these references keep the configuration alive
    private static java.util.List<java.util.logging.Logger> installed;

    private PahoLogBridge() {
    }

    /** Routes Paho's logger into tinylog; idempotent. */
    static synchronized void install() {
        if (installed != null) {
            return;
        }
        java.util.List<java.util.logging.Logger> loggers = new java.util.ArrayList<>();
        for (String name : new String[] {PAHO_LOGGER, PAHO5_LOGGER}) {
            java.util.logging.Logger paho = java.util.logging.Logger.getLogger(name);
            paho.setUseParentHandlers(false);
            paho.setLevel(Level.INFO);
            for (Handler h : paho.getHandlers()) {
                paho.removeHandler(h);
            }
            paho.addHandler(new PahoLogBridge());
            loggers.add(paho);
        }
        installed = java.util.List.copyOf(loggers);
    }

    @Override
    public void publish(LogRecord record) {
        if (record == null) {
            return;
        }
        String message = String.valueOf(record.getMessage());
        String source = record.getLoggerName() == null ? "paho"
                : record.getLoggerName().substring(record.getLoggerName().lastIndexOf('.') + 1);
        Throwable thrown = record.getThrown();
        String error = thrown == null ? "" : " error=" + thrown;
        int level = record.getLevel().intValue();
        if (level >= Level.WARNING.intValue()) {
            Logger.warn("paho {} source={}{}", message, source, error);
        } else if (level >= Level.INFO.intValue()) {
            Logger.debug("paho {} source={}{}", message, source, error);
        } else {
            Logger.trace("paho {} source={}{}", message, source, error);
        }
    }

    @Override
    public void flush() {
        // tinylog writes on its own
    }

    @Override
    public void close() {
        // nothing held
    }
}
