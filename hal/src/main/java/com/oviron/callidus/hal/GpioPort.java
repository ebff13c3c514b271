package com.oviron.callidus.hal;

import java.util.List;

/**
 * The port through which the agent reads the unit's discrete signals (foot control pressed, instrument
 * active, cover interlock, water bottle low, ...) and drives its discrete outputs (status LED, service
 * relay, ...). Which lines exist and what they are called comes from configuration, as {@link GpioLine}s.
 *
 * <p>Every state here is logical: {@code true} means "active", whatever the electrical level
 * ({@link GpioLine#activeLow()}). Input states are debounced: a change counts once the raw level has stayed
 * the same for the line's {@link GpioLine#debounce()}.
 *
 * <p>Implementations: Pi4J with the gpiod or mock provider ({@code hal.pi4j}) and a hand-written fake for
 * tests ({@code hal.fake}). Thread-safe: any thread may read, set and add listeners while listeners are
 * being called (on which thread: see {@link GpioListener}).
 */
public interface GpioPort extends AutoCloseable {

    /** The lines of this port, inputs and outputs, in configuration order. */
    List<GpioLine> lines();

    /**
     * The debounced logical state of an input.
     *
     * @throws IllegalArgumentException if {@code input} is not the name of an input of this port
     * @throws IllegalStateException    after {@link #close()}
     */
    boolean isActive(String input);

    /**
     * Drives an output to a logical state.
     *
     * @throws HalException             when the hardware refused the write (line released, chip gone)
     * @throws IllegalArgumentException if {@code output} is not the name of an output of this port
     * @throws IllegalStateException    after {@link #close()}
     */
    void set(String output, boolean active) throws HalException;

    /**
     * The logical state an output is driven to now. Starts inactive.
     *
     * @throws IllegalArgumentException if {@code output} is not the name of an output of this port
     * @throws IllegalStateException    after {@link #close()}
     */
    boolean isOutputActive(String output);

    /**
     * Registers a listener for every later debounced change of any input. It is not called for the state
     * the inputs have now: read that with {@link #isActive(String)} after adding the listener.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    void addListener(GpioListener listener);

    /**
     * Releases the lines; outputs go back to inactive. No listener is called afterwards (one already
     * running may finish). Idempotent.
     */
    @Override
    void close();
}
