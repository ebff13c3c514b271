package com.oviron.callidus.cloud.paho;

import com.oviron.callidus.cloud.StatusMessage;
import java.time.Clock;

/** The unit's retained status messages (docs/protocol.md, "status"): online, the last will, offline at shutdown. */
record Presence(String deviceId, String agentVersion, Clock clock) {
    byte[] online() {
        return new StatusMessage(deviceId, true, agentVersion, clock.millis(), "connected").encode();
    }

    byte[] will() {
        return new StatusMessage(deviceId, false, agentVersion, clock.millis(), "connection-lost").encode();
    }

    byte[] offline() {
        return new StatusMessage(deviceId, false, agentVersion, clock.millis(), "shutdown").encode();
    }
}
