package com.oviron.callidus.agent.diagnostics;

import com.oviron.callidus.hal.Channel;
import com.oviron.callidus.hal.modbus.RegisterChannel;
import com.oviron.callidus.hal.modbus.RegisterMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A channel with the range its sensor can measure (the register map's {@code min} and {@code max}): outside
 * it a value is "out of range" for alarms, aggregates, reports and the self-test.
 */
public record ChannelInfo(String id, String name, String unit, double validMin, double validMax) {
    public ChannelInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(unit, "unit");
        if (!(validMin < validMax)) {
            throw new IllegalArgumentException("channel " + id + ": valid range " + validMin + ".." + validMax);
        }
    }

    /** Whether {@code value} is a number within the valid range (both ends included). */
    public boolean inRange(double value) {
        return value >= validMin && value <= validMax;
    }

    /**
     * The channels of a register map with their valid ranges. The simulated board has the channels of the
     * shipped map (it simulates that board), so the agent passes the shipped map for it.
     *
     * @param channels the sensor port's channels, in its order; each must be in the map
     * @throws IllegalArgumentException naming a channel the map lacks
     */
    public static List<ChannelInfo> of(List<Channel> channels, RegisterMap map) {
        List<ChannelInfo> out = new ArrayList<>();
        for (Channel c : channels) {
            RegisterChannel r = map.channels().stream().filter(x -> x.channel().id().equals(c.id())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("channel " + c.id() + " is not in register map "
                            + map.name()));
            out.add(new ChannelInfo(c.id(), c.name(), c.unit(), r.validMin(), r.validMax()));
        }
        return out;
    }
}
