package com.oviron.callidus.hal;

import java.util.List;

/**
 * The port through which the agent reads the unit's sensors. Implementations: the simulated board
 * ({@code hal.sim}), a scripted fake for tests ({@code hal.fake}), and the Modbus RTU board (later).
 *
 * <p>Not thread-safe: the agent calls it from its one sampling thread.
 */
public interface SensorPort extends AutoCloseable {

    /** The channels this port delivers, in a stable order. */
    List<Channel> channels();

    /**
     * Samples every channel once.
     *
     * @return one reading per channel, in the order of {@link #channels()}; a channel that could not be
     *     read carries a non-GOOD quality instead of being left out
     * @throws HalException when nothing at all could be read (port gone)
     * @throws IllegalStateException after {@link #close()}
     */
    List<Reading> sample() throws HalException;

    @Override
    void close();
}
