package com.oviron.callidus.cloud;

import java.util.OptionalInt;

/**
 * The broker refused a publish. MQTT 5 says so: a PUBACK reason code of 0x80 or above, a DISCONNECT with a reason
 * code that names a message (0x95 packet too large, 0x90 topic name invalid, ...), or a publish larger than the
 * maximum packet size the broker announced (refused on the unit before it is sent). MQTT 3.1.1 has no such answer:
 * a 3.1.1 broker that will not take a message drops the connection, and a connection dropped within 2 s of a
 * publish is taken as its refusal (docs/protocol.md, "What counts as a refusal").
 *
 * <p>{@link TelemetrySync} counts a refusal that is about the message towards dead-lettering; a
 * {@linkplain #temporary() temporary} one (0x97 quota exceeded, 0x91 packet identifier in use) never counts: the
 * unit sends the message again later.
 */
public final class PublishRefusedException extends Exception {
    private final OptionalInt reasonCode;
    private final boolean temporary;

    /** A refusal without an MQTT 5 reason code (MQTT 3.1.1, or a test's fake). */
    public PublishRefusedException(String message) {
        super(message);
        this.reasonCode = OptionalInt.empty();
        this.temporary = false;
    }

    /** A refusal with an MQTT 5 reason code. */
    public PublishRefusedException(int reasonCode, String message) {
        super(message);
        this.reasonCode = OptionalInt.of(reasonCode);
        this.temporary = isTemporary(reasonCode);
    }

    /** The MQTT 5 reason code, if the broker gave one. */
    public OptionalInt reasonCode() {
        return reasonCode;
    }

    /** Whether the broker may well take the same message later (a quota): never counted towards dead-lettering. */
    public boolean temporary() {
        return temporary;
    }

    /** 0x97 quota exceeded, 0x91 packet identifier in use, 0x89 server busy: not about the message. */
    public static boolean isTemporary(int reasonCode) {
        return reasonCode == 0x97 || reasonCode == 0x91 || reasonCode == 0x89;
    }
}
