package com.oviron.callidus.agent.update;

/**
 * Where update steps go; the agent publishes them to the cloud (docs/protocol.md, "Topic update").
 * Called on the update thread (or the start-up thread for the first steps after a restart): return quickly.
 */
@FunctionalInterface
public interface UpdateStatusListener {
    void onStatus(UpdateStatus status);
}
