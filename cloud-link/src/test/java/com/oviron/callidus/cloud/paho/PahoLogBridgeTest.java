package com.oviron.callidus.cloud.paho;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class PahoLogBridgeTest {
    @Test
    void pahos_records_go_to_the_bridge_and_not_to_java_util_loggings_console() {
        List<LogRecord> atRoot = new ArrayList<>();
        Handler spy = new Handler() {
            @Override
            public void publish(LogRecord record) {
                atRoot.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(spy);
        try {
            PahoLogBridge.install();
            PahoLogBridge.install(); // idempotent
            Logger paho = Logger.getLogger(PahoLogBridge.PAHO_LOGGER);
            assertFalse(paho.getUseParentHandlers());
            assertEquals(1, Arrays.stream(paho.getHandlers()).filter(h -> h instanceof PahoLogBridge).count());
            Logger clientState = Logger.getLogger("org.eclipse.paho.client.mqttv3.internal.ClientState");
            clientState.log(Level.SEVERE, "CAL-1: Timed out as no activity, keepAlive=30,000,000,000");
            assertTrue(atRoot.isEmpty(), "nothing reached the root logger's console handler");
            assertFalse(clientState.isLoggable(Level.FINE), "Paho's trace records are not even made");
        } finally {
            root.removeHandler(spy);
        }
    }
}
