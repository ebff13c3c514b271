package com.oviron.callidus.cloud.paho;

import java.time.Duration;

/**
 * The link's clock for a silent broker and a hanging connect, without any MQTT client in it: told when a
 * connect attempt starts, when the session is up and when it is down, and asked every tick what to do. Not
 * thread-safe: the connection's own thread ("mqtt-link") owns it. Times are {@code System.nanoTime()} values.
 *
 * <ul>
 *   <li>A session whose broker sent nothing for 1.5 keep-alive intervals is to be cut: the client pings after
 *       one interval without a packet from the broker, so a live broker always sends something within that.
 *   <li>A connect attempt still without CONNACK after the connect timeout is to be cut; if the client has not
 *       reported its end {@code grace} after that, it is to be given up.
 *   <li>A cut session whose end the client has not reported within {@code grace} is to be cleaned up before
 *       the next connect.
 * </ul>
 */
final class LinkWatchdog {
    /** What the connection must do now. */
    enum Verdict { NOTHING, CUT_SILENT_SESSION, CUT_CONNECT, GIVE_UP_CONNECT, CLEAN_UP_CUT_SESSION }

    private enum Phase { IDLE, CONNECTING, SESSION }

    private final long defaultSilenceLimitNanos;
    private long silenceLimitNanos;
    private final long connectTimeoutNanos;
    private final long graceNanos;
    private Phase phase = Phase.IDLE;
    private long since;
    private boolean connectCut;
    private boolean sessionCut;
    private long sessionCutAt;
    private long lastSilenceNanos;

    /** @param keepAlive zero: no silence watch (MQTT keep-alive off) */
    LinkWatchdog(Duration keepAlive, Duration connectTimeout, Duration grace) {
        this.defaultSilenceLimitNanos = keepAlive.toNanos() / 2 * 3;
        this.silenceLimitNanos = defaultSilenceLimitNanos;
        this.connectTimeoutNanos = connectTimeout.toNanos();
        this.graceNanos = grace.toNanos();
    }

    void attemptStarted(long now) {
        phase = Phase.CONNECTING;
        since = now;
        connectCut = false;
    }

    void sessionUp(long now) {
        phase = Phase.SESSION;
        since = now;
        silenceLimitNanos = defaultSilenceLimitNanos;
    }

    /**
     * A session is up whose keep-alive is not the configured one: an MQTT 5 broker may set its own (Server Keep
     * Alive in the CONNACK), and the client then pings by that.
     */
    void sessionUp(long now, Duration keepAlive) {
        sessionUp(now);
        silenceLimitNanos = keepAlive.toNanos() / 2 * 3;
    }

    /** The attempt failed or the session ended (as the client reported it, or as cut here). */
    void down() {
        phase = Phase.IDLE;
    }

    /** Whether the current attempt was cut for want of a CONNACK. */
    boolean connectWasCut() {
        return connectCut;
    }

    /** Whether a session was cut here and the client has not reported its end yet. */
    boolean sessionCutPending() {
        return sessionCut;
    }

    /** The client reported the end of a session: true if it is the one cut here (already dealt with). */
    boolean clientReportedLoss() {
        boolean wasCut = sessionCut;
        sessionCut = false;
        return wasCut;
    }

    long silenceLimitMillis() {
        return silenceLimitNanos / 1_000_000;
    }

    long connectTimeoutMillis() {
        return connectTimeoutNanos / 1_000_000;
    }

    /** The broker's silence when the session was last cut. */
    long lastSilenceMillis() {
        return lastSilenceNanos / 1_000_000;
    }

    /**
     * @param lastInbound when the broker last sent a byte
     */
    Verdict check(long now, long lastInbound) {
        if (sessionCut && now - sessionCutAt > graceNanos) {
            sessionCut = false;
            return Verdict.CLEAN_UP_CUT_SESSION;
        }
        switch (phase) {
            case SESSION -> {
                long silent = now - Math.max(lastInbound, since);
                if (silenceLimitNanos > 0 && silent > silenceLimitNanos) {
                    phase = Phase.IDLE;
                    sessionCut = true;
                    sessionCutAt = now;
                    lastSilenceNanos = silent;
                    return Verdict.CUT_SILENT_SESSION;
                }
            }
            case CONNECTING -> {
                long waited = now - since;
                if (!connectCut && waited > connectTimeoutNanos) {
                    connectCut = true;
                    return Verdict.CUT_CONNECT;
                }
                if (connectCut && waited > connectTimeoutNanos + graceNanos) {
                    phase = Phase.IDLE;
                    return Verdict.GIVE_UP_CONNECT;
                }
            }
            default -> {
                // nothing to watch
            }
        }
        return Verdict.NOTHING;
    }
}
