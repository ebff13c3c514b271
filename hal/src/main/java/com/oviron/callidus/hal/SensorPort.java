package com.oviron.callidus.hal;

import java.util.List;

/**
 * The port through which the agent reads the unit's sensors. Implementations: the Modbus RTU board
 * ({@code hal.modbus}), the simulated board ({@code hal.sim}) and a scripted fake for tests ({@code hal.fake}).
 *
 * <p>Not thread-safe: the agent calls it from its one sampling thread.
 */
public interface SensorPort extends AutoCloseable {

    /** The channels this port delivers, in a stable order. */
    List<Channel> channels();

    /**
     * Samples the channels that are due now (the simulator and the fake: all of them; the Modbus board: each
     * at its own period, and only when the value moved beyond its deadband).
     *
     * @return the readings, in the order of {@link #channels()}; a due channel that could not be read
     *     carries a non-GOOD quality instead of being left out
     * @throws HalException when nothing at all could be read (port gone)
     * @throws IllegalStateException after {@link #close()}
     */
    List<Reading> sample() throws HalException;

    /**
     * Counters of the hardware link for diagnostics (requests, timeouts, CRC errors, ...), by name; empty
     * when the implementation has none. Called from the same thread as {@link #sample()}.
     */
    default java.util.Map<String, Long> diagnostics() {
        return java.util.Map.of();
    }

    @Override
    void close();
}
