package com.oviron.callidus.hal.fake;

import com.oviron.callidus.hal.GpioLine;
import com.oviron.callidus.hal.GpioListener;
import com.oviron.callidus.hal.GpioPort;
import com.oviron.callidus.hal.HalException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A GPIO port for tests. The test sets inputs with {@link #setInput(String, boolean)} and the listeners are
 * told at once, on the test's thread, before the call returns; there is no debounce (every change the test
 * makes counts as a debounced one). Outputs only remember what they were set to. Can be told to fail the
 * next writes. Thread-safe so that a test thread can drive it while the agent uses it.
 */
public final class FakeGpioPort implements GpioPort {
    private final List<GpioLine> lines;
    private final Map<String, GpioLine> byName = new HashMap<>();
    private final Clock clock;
    private final Map<String, Boolean> states = new HashMap<>();
    private final List<GpioListener> listeners = new CopyOnWriteArrayList<>();
    private int failNextSets;
    private boolean closed;

    /**
     * Every input and output starts inactive.
     *
     * @param clock stamps the listener events
     */
    public FakeGpioPort(List<GpioLine> lines, Clock clock) {
        this.lines = GpioLine.requireDistinct(lines);
        this.clock = Objects.requireNonNull(clock, "clock");
        for (GpioLine line : this.lines) {
            byName.put(line.name(), line);
            states.put(line.name(), false);
        }
    }

    @Override
    public List<GpioLine> lines() {
        return lines;
    }

    /**
     * Sets the logical state of an input and, if it changed, tells every listener on this thread before
     * returning; an exception from a listener reaches the caller. Setting the state an input already has
     * tells nobody.
     *
     * @throws IllegalArgumentException if {@code input} is not the name of an input of this port
     * @throws IllegalStateException    after {@link #close()}
     */
    public void setInput(String input, boolean active) {
        Instant at;
        synchronized (this) {
            requireOpen();
            require(input, true);
            if (states.put(input, active) == active) {
                return;
            }
            at = clock.instant();
        }
        // outside the lock: a listener may call back into the port
        for (GpioListener listener : listeners) {
            listener.changed(input, active, at);
        }
    }

    /**
     * Sets the electrical level of an input, applying the line's {@link GpioLine#activeLow()} the way the
     * hardware ports do; otherwise like {@link #setInput(String, boolean)}.
     */
    public void simulateRaw(String input, boolean electricalHigh) {
        GpioLine line;
        synchronized (this) {
            line = require(input, true);
        }
        setInput(input, line.activeLow() != electricalHigh);
    }

    @Override
    public synchronized boolean isActive(String input) {
        requireOpen();
        require(input, true);
        return states.get(input);
    }

    @Override
    public synchronized void set(String output, boolean active) throws HalException {
        requireOpen();
        require(output, false);
        if (failNextSets > 0) {
            failNextSets--;
            throw new HalException("scripted gpio write failure name=" + output);
        }
        states.put(output, active);
    }

    @Override
    public synchronized boolean isOutputActive(String output) {
        requireOpen();
        require(output, false);
        return states.get(output);
    }

    /** The next {@code count} calls to {@link #set(String, boolean)} throw {@link HalException} and change nothing. */
    public synchronized void failNextSets(int count) {
        failNextSets = count;
    }

    @Override
    public synchronized void addListener(GpioListener listener) {
        Objects.requireNonNull(listener, "listener");
        requireOpen();
        listeners.add(listener);
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("gpio port is closed");
        }
    }

    private GpioLine require(String name, boolean input) {
        GpioLine line = byName.get(name);
        if (line == null) {
            throw new IllegalArgumentException("no gpio " + (input ? "input" : "output") + " named '" + name + "'");
        }
        if (line.isInput() != input) {
            throw new IllegalArgumentException("gpio line '" + name + "' is an "
                    + (input ? "output, not an input" : "input, not an output"));
        }
        return line;
    }
}
