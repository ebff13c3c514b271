package com.oviron.callidus.agent.update;

/**
 * Ends this agent process so that the launcher starts it again (from the slot the state file names). The
 * production one is {@link #exiting()}; tests give their own.
 */
@FunctionalInterface
public interface ProcessRestarter {
    /** The exit code that means "start me again": EX_TEMPFAIL. */
    int EXIT_RESTART = 75;

    void restart(String reason);

    /** Exits the JVM with {@link #EXIT_RESTART}; the shutdown hooks close the agent cleanly first. */
    static ProcessRestarter exiting() {
        return reason -> {
            org.tinylog.Logger.info("agent restarts for an update reason={} exitCode={}", reason, EXIT_RESTART);
            // System.exit blocks until the hooks ran; call it off the caller's thread so a hook that waits for
            // the caller's executor to stop cannot deadlock with it
            Thread t = new Thread(() -> System.exit(EXIT_RESTART), "update-restart");
            t.setDaemon(false);
            t.start();
        };
    }
}
