package com.oviron.callidus.tools.fleet;

/**
 * One simulated unit of the fleet: a complete agent ({@link CompleteUnit}) or a lightweight MQTT-only unit
 * that publishes the same telemetry batches ({@link LightUnit}).
 */
interface FleetUnit extends AutoCloseable {

    String id();

    /** Whether its broker session is up now (cheap: polled often). */
    boolean connected();

    /** Connect attempts it has begun since start (the first included), whether a broker answered or not. */
    long connectAttempts();

    /** Its telemetry stream: the last sequence number it has, and up to which the broker acknowledged. */
    Progress progress();

    /** @param lastSeq readings accepted; @param acknowledgedSeq acknowledged by the broker; @param published telemetry publishes so far */
    record Progress(long lastSeq, long acknowledgedSeq, long published) {
    }

    /** Stops it cleanly (a complete agent drains and announces offline). */
    @Override
    void close();
}
