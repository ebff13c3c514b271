package com.oviron.callidus.agent.update;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * What a new version must show before it is committed.
 *
 * @param started       the agent finished starting
 * @param boardRead     the board was read at least once
 * @param brokerReached the broker was reached at least once
 */
public record HealthChecks(BooleanSupplier started, BooleanSupplier boardRead, BooleanSupplier brokerReached) {
    public HealthChecks {
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(boardRead, "boardRead");
        Objects.requireNonNull(brokerReached, "brokerReached");
    }

    /** The checks that do not pass yet (empty when healthy). */
    public List<String> failing() {
        List<String> out = new ArrayList<>();
        if (!started.getAsBoolean()) {
            out.add("agent not started");
        }
        if (!boardRead.getAsBoolean()) {
            out.add("board not read");
        }
        if (!brokerReached.getAsBoolean()) {
            out.add("broker not reached");
        }
        return out;
    }
}
