package com.oviron.callidus.cloud;

/**
 * Told when the link to the broker comes up or goes down. Called on the connection's own thread: an
 * implementation posts to its own executor and returns at once.
 */
public interface ConnectionListener {
    void connected();

    void disconnected(String reason);
}
