package com.oviron.callidus.hal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Tells whether a treatment is in progress, from the unit's discrete inputs: while any "treatment
 * activity" input (foot control pressed, instrument out of its holder, ...) is active, and for a hold-off
 * time after the last of them went inactive, because a dentist who lifts the foot for a moment is still
 * treating. The agent asks it before anything that would disturb the unit, such as a software update.
 *
 * <p>Thread-safe: the port's listener thread writes, any thread reads.
 */
public final class TreatmentDetector {
    private final Set<String> activityInputs;
    private final Duration holdOff;
    private final Clock clock;
    private final Set<String> active = new HashSet<>();
    private Instant lastInactive;

    /**
     * Starts watching the port; inputs that are active now count as activity from now on.
     *
     * @param activityInputs names of the port's inputs that mean "treatment activity"; at least one
     * @param holdOff        how long a treatment still counts as in progress after the last activity ended
     * @param clock          the time {@link #inProgress()} compares against; give it the port's clock
     * @throws IllegalArgumentException if a name is not an input of the port, or {@code holdOff} is negative
     */
    public TreatmentDetector(GpioPort port, Set<String> activityInputs, Duration holdOff, Clock clock) {
        Objects.requireNonNull(port, "port");
        this.activityInputs = Set.copyOf(Objects.requireNonNull(activityInputs, "activityInputs"));
        this.holdOff = Objects.requireNonNull(holdOff, "holdOff");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (this.activityInputs.isEmpty()) {
            throw new IllegalArgumentException("treatment activity inputs must name at least one gpio input");
        }
        if (holdOff.isNegative()) {
            throw new IllegalArgumentException("treatment hold-off must not be negative, got " + holdOff);
        }
        Set<String> inputs = port.lines().stream()
                .filter(GpioLine::isInput)
                .map(GpioLine::name)
                .collect(Collectors.toSet());
        for (String name : this.activityInputs) {
            if (!inputs.contains(name)) {
                throw new IllegalArgumentException(
                        "treatment activity input '" + name + "' is not a gpio input; inputs are " + inputs);
            }
        }
        // listener first, then the current states, under the lock: a change that races with this waits and
        // is then applied on top of the states read here
        synchronized (this) {
            port.addListener(this::changed);
            for (String name : this.activityInputs) {
                if (port.isActive(name)) {
                    active.add(name);
                }
            }
        }
    }

    private synchronized void changed(String input, boolean isActive, Instant at) {
        if (!activityInputs.contains(input)) {
            return;
        }
        if (isActive) {
            active.add(input);
        } else if (active.remove(input) && active.isEmpty()) {
            lastInactive = at;
        }
    }

    /**
     * {@code true} while any activity input is active, and for the hold-off after the last of them went
     * inactive (up to, not including, the instant the hold-off ends).
     */
    public synchronized boolean inProgress() {
        if (!active.isEmpty()) {
            return true;
        }
        return lastInactive != null && clock.instant().isBefore(lastInactive.plus(holdOff));
    }

    /**
     * When treatment activity was last seen: now while an activity input is active, otherwise when the last of
     * them went inactive; empty if none has been active since this detector started.
     */
    public synchronized Optional<Instant> lastActivity() {
        if (!active.isEmpty()) {
            return Optional.of(clock.instant());
        }
        return Optional.ofNullable(lastInactive);
    }
}
