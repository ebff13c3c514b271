package com.oviron.callidus.hal;

import java.time.Instant;

/**
 * Told about every debounced change of an input of a {@link GpioPort}.
 *
 * <p>Threads: the Pi4J port calls every listener on its one daemon thread {@code gpio-events}; the test fake
 * calls them on the thread that sets the input. Either way listeners are called one at a time, in the order
 * the changes happened, and must return quickly without blocking: while one runs, no other change is
 * delivered and debounce timing slips. Hand longer work to your own executor. An exception thrown by a
 * listener is logged by the Pi4J port and does not stop the other listeners.
 */
@FunctionalInterface
public interface GpioListener {

    /**
     * An input changed its logical state.
     *
     * @param input  the {@link GpioLine#name()} of the input
     * @param active its new logical state ({@link GpioLine#activeLow()} already applied)
     * @param at     when the input started to show the new state, by the port's clock
     */
    void changed(String input, boolean active, Instant at);
}
