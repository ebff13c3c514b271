package com.oviron.callidus.agent.systemd;

/**
 * The service manager's notify socket (sd_notify(3)): one datagram of {@code KEY=value} lines per message,
 * e.g. {@code READY=1}, {@code WATCHDOG=1}, {@code STATUS=...}, {@code STOPPING=1}.
 */
public interface SystemdNotify extends AutoCloseable {
    /**
     * Sends one message; never throws.
     *
     * @return whether it was sent (a failure is logged once per distinct error)
     */
    boolean send(String message);

    @Override
    void close();
}
