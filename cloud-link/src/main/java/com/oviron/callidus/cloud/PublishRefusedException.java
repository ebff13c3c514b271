package com.oviron.callidus.cloud;

/**
 * The broker answered a publish with a refusal (MQTT 5: a PUBACK reason code of 0x80 or above). MQTT 3.1.1
 * has no such answer: a 3.1.1 broker that will not take a message drops the connection instead, which
 * {@link TelemetrySync} counts separately. Only this, and such a drop, count towards dead-lettering.
 */
public final class PublishRefusedException extends Exception {
    public PublishRefusedException(String message) {
        super(message);
    }
}
