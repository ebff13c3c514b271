package com.oviron.callidus.hal.sim;

import com.oviron.callidus.hal.Channel;
import com.oviron.callidus.hal.HalException;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.SensorPort;
import java.util.List;

/**
 * A sensor port (normally the {@link SimulatedCallidusBoard}) with faults switched in at run time, in process:
 * the signal faults of {@link SignalFaults}, and a silent board (no answer at all: every sample fails as it
 * does when the board's serial device is gone). For the demo and for tests that drive the agent's real sampler
 * without a serial line; over a serial line the Modbus simulator in {@code tools} injects the same faults.
 *
 * <p>Not thread-safe for sampling (like every port); the faults may be switched from any thread.
 */
public final class FaultInjectingPort implements SensorPort {
    private final SensorPort board;
    private final SignalFaults faults = new SignalFaults();
    private volatile boolean silent;

    public FaultInjectingPort(SensorPort board) {
        this.board = board;
    }

    /** The signal faults, to switch. */
    public SignalFaults faults() {
        return faults;
    }

    /** A silent board answers nothing: every sample fails. */
    public void setSilent(boolean on) {
        silent = on;
    }

    public boolean silent() {
        return silent;
    }

    @Override
    public List<Channel> channels() {
        return board.channels();
    }

    @Override
    public List<Reading> sample() throws HalException {
        // the board keeps running while it is not heard, so its signals go on from where they are
        List<Reading> readings = board.sample();
        if (silent) {
            throw new HalException("the board does not answer (silent)");
        }
        return faults.apply(readings);
    }

    @Override
    public java.util.Map<String, Long> diagnostics() {
        return board.diagnostics();
    }

    @Override
    public void close() {
        board.close();
    }
}
