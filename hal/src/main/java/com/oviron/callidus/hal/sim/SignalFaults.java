package com.oviron.callidus.hal.sim;

import com.oviron.callidus.hal.Reading;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Faults in the simulated board's signals, as a failing unit would show them: a pressure drop (the compressor
 * failing: main air falls to a third, the turbine gets half), an over-voltage (the supply 7 V too high, outside
 * its valid range) and stuck sensors (a channel keeps the value it had when it got stuck). Used by the Modbus
 * simulator in {@code tools} and by {@link FaultInjectingPort} in process, so both show the same faults.
 *
 * <p>Thread-safe: faults are switched from any thread while another applies them.
 */
public final class SignalFaults {
    /** Added to the supply voltage by {@code over-voltage}. */
    public static final double OVER_VOLTAGE_V = 7.0;

    private volatile boolean pressureDrop;
    private volatile boolean overVoltage;
    /** Channel id → the value it is stuck at; NaN until the next reading shows what that is. */
    private final Map<String, Double> stuck = new ConcurrentHashMap<>();

    public void setPressureDrop(boolean on) {
        pressureDrop = on;
    }

    public void setOverVoltage(boolean on) {
        overVoltage = on;
    }

    /** The channel's sensor stops changing, at the value the next reading shows. */
    public void stick(String channelId) {
        stuck.putIfAbsent(channelId, Double.NaN);
    }

    /** Every stuck sensor works again. */
    public void unstickAll() {
        stuck.clear();
    }

    /** All signal faults off. */
    public void clear() {
        pressureDrop = false;
        overVoltage = false;
        stuck.clear();
    }

    public boolean pressureDrop() {
        return pressureDrop;
    }

    public boolean overVoltage() {
        return overVoltage;
    }

    /** The stuck channels, sorted. */
    public Set<String> stuckChannels() {
        return new TreeSet<>(stuck.keySet());
    }

    /** The readings as the faulty board shows them (the input is not changed). */
    public List<Reading> apply(Collection<Reading> fromBoard) {
        if (!pressureDrop && !overVoltage && stuck.isEmpty()) {
            return List.copyOf(fromBoard);
        }
        List<Reading> out = new ArrayList<>(fromBoard.size());
        for (Reading r : fromBoard) {
            double v = r.value();
            if (pressureDrop && r.channelId().equals("main_air_pressure")) {
                v = v / 3;
            } else if (pressureDrop && r.channelId().equals("turbine_air_pressure")) {
                v = v / 2;
            } else if (overVoltage && r.channelId().equals("supply_voltage")) {
                v = v + OVER_VOLTAGE_V;
            }
            Double frozen = stuck.get(r.channelId());
            if (frozen != null && Double.isNaN(frozen)) {
                stuck.replace(r.channelId(), frozen, v);
                frozen = v;
            }
            out.add(new Reading(r.channelId(), frozen != null ? frozen : v, r.timestamp(), r.quality()));
        }
        return out;
    }

    @Override
    public String toString() {
        return "pressure-drop=" + (pressureDrop ? "on" : "off") + " over-voltage=" + (overVoltage ? "on" : "off")
                + " stuck=" + stuckChannels();
    }
}
