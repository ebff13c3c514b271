package com.oviron.callidus.agent;

/**
 * A snapshot of the agent's counters, for the console, the demo and tests.
 *
 * @param samples          sample cycles completed
 * @param halErrors        sample cycles that failed
 * @param bufferedInMemory readings waiting for their write transaction
 * @param droppedInMemory  readings lost because the store failed longer than memory could bridge
 * @param lastSeq          sequence number of the last accepted reading
 * @param acknowledgedSeq  sequence number up to which the cloud has acknowledged
 * @param connected        whether the broker session is up
 * @param batchesPublished telemetry messages published (with resends)
 * @param batchesAcked     telemetry messages acknowledged by the broker
 * @param resends          times unacknowledged messages were sent again after a cut
 * @param treatmentInProgress whether the GPIO inputs say a treatment is going on (false without GPIO)
 */
public record AgentStatus(long samples, long halErrors, int bufferedInMemory, long droppedInMemory, long lastSeq,
                          long acknowledgedSeq, boolean connected, long batchesPublished, long batchesAcked,
                          long resends, boolean treatmentInProgress) {
    /** Accepted readings the cloud has not acknowledged yet. */
    public long pending() {
        return lastSeq - acknowledgedSeq;
    }
}
