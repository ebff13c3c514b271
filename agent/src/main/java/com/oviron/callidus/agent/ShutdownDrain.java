package com.oviron.callidus.agent;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Step 2 of the shutdown: keep the sync running while the link is up and readings are pending, up to the drain
 * timeout, but no longer than there is a point: an acknowledgement the store could not record (a full disk it
 * could not make room on) means the outbox will not empty, and what is unsent stays in the store for the next
 * start. So SIGTERM on a full disk ends promptly, whatever the drain timeout.
 */
final class ShutdownDrain {
    /** How the drain ended. */
    enum Outcome { DRAINED, LINK_DOWN, TIMED_OUT, ACKNOWLEDGEMENTS_FAILING }

    /** Waits a little between two looks. */
    @FunctionalInterface
    interface Pause {
        void pause() throws InterruptedException;
    }

    private final BooleanSupplier connected;
    private final LongSupplier pending;
    private final LongSupplier acknowledgementFailures;
    private final LongSupplier nanoTime;
    private final Pause pause;

    /**
     * @param pending                 readings still to send (negative when the store cannot tell: then it stops)
     * @param acknowledgementFailures acknowledgements the store could not record so far (a counter)
     */
    ShutdownDrain(BooleanSupplier connected, LongSupplier pending, LongSupplier acknowledgementFailures,
                  LongSupplier nanoTime, Pause pause) {
        this.connected = connected;
        this.pending = pending;
        this.acknowledgementFailures = acknowledgementFailures;
        this.nanoTime = nanoTime;
        this.pause = pause;
    }

    Outcome run(Duration timeout) throws InterruptedException {
        long deadline = nanoTime.getAsLong() + timeout.toNanos();
        long failuresBefore = acknowledgementFailures.getAsLong();
        while (true) {
            if (!connected.getAsBoolean()) {
                return Outcome.LINK_DOWN;
            }
            if (pending.getAsLong() <= 0) {
                return Outcome.DRAINED;
            }
            if (acknowledgementFailures.getAsLong() > failuresBefore) {
                return Outcome.ACKNOWLEDGEMENTS_FAILING;
            }
            if (nanoTime.getAsLong() - deadline >= 0) {
                return Outcome.TIMED_OUT;
            }
            pause.pause();
        }
    }
}
