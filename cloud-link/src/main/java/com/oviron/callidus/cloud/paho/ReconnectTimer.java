package com.oviron.callidus.cloud.paho;

import com.oviron.callidus.cloud.Backoff;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * When the next connect attempt runs: exponential backoff with full jitter over all failed attempts since the
 * last session (ADR 0002), logged as a warning on the first failure and every 10th, as debug otherwise. Not
 * thread-safe: the connection's own thread owns it.
 */
final class ReconnectTimer {
    private static final int RETRIES_PER_WARNING = 10;
    private static final String RETRY_LOG =
            "mqtt {} broker={} protocol={} attempt={} retryInMs={} next={} nextProtocol={}";

    private final Backoff backoff;
    private final ScheduledExecutorService executor;
    private final Random random = new Random();
    private int attempt;
    private ScheduledFuture<?> pending;

    private String lastReason = "";

    ReconnectTimer(Backoff backoff, ScheduledExecutorService executor) {
        this.backoff = backoff;
        this.executor = executor;
    }

    /** Schedules {@code connect} after the backoff, unless an attempt is already scheduled. */
    void schedule(String reason, BrokerRotation.Choice from, BrokerRotation.Choice next, Runnable connect) {
        if (pending != null) {
            return;
        }
        Duration delay = backoff.delay(attempt, random);
        // a long outage must not flood the log: the first failure, a new cause, then every 10th are warnings
        boolean newCause = !reason.equals(lastReason);
        lastReason = reason;
        Object[] args = {reason, from.uri(), from.protocolName(), attempt + 1, delay.toMillis(), next.uri(),
                next.protocolName()};
        if (attempt % RETRIES_PER_WARNING == 0 || newCause) {
            Logger.warn(RETRY_LOG, args);
        } else {
            Logger.debug(RETRY_LOG, args);
        }
        attempt++;
        pending = executor.schedule(connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Schedules {@code connect} now, unless an attempt is already scheduled, without counting a failed attempt:
     * the broker's version is being learnt (the pair of attempts counts as one for the backoff).
     */
    void scheduleAtOnce(String reason, BrokerRotation.Choice from, BrokerRotation.Choice next, Runnable connect) {
        if (pending != null) {
            return;
        }
        lastReason = reason;
        Logger.info(RETRY_LOG, reason, from.uri(), from.protocolName(), attempt + 1, 0, next.uri(),
                next.protocolName());
        pending = executor.schedule(connect, 0, TimeUnit.MILLISECONDS);
    }

    /** The scheduled attempt runs now. */
    void started() {
        pending = null;
    }

    /** A session is up: the next loss starts the backoff from its first, shortest wait. */
    void reset() {
        attempt = 0;
    }

    void cancel() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }
}
