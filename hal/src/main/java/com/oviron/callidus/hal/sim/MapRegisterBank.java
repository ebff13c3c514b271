package com.oviron.callidus.hal.sim;

import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.modbus.RegisterChannel;
import com.oviron.callidus.hal.modbus.RegisterChannel.RegisterKind;
import com.oviron.callidus.hal.modbus.RegisterMap;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The register tables of a simulated board, laid out by a register map: {@link #update} encodes channel
 * values into their registers as the real board's firmware would. Addresses from 0 up to the highest one the
 * map uses in a table can be read (unused ones read 0, as on the board); anything above answers exception 02.
 * Holding registers can be written. Thread-safe.
 */
public final class MapRegisterBank implements ModbusRtuSlave.RegisterBank {
    private final Map<String, RegisterChannel> byId = new HashMap<>();
    private final Map<RegisterKind, int[]> tables = new EnumMap<>(RegisterKind.class);

    public MapRegisterBank(RegisterMap map) {
        Map<RegisterKind, Integer> top = new EnumMap<>(RegisterKind.class);
        for (RegisterChannel c : map.channels()) {
            byId.put(c.channel().id(), c);
            top.merge(c.kind(), c.lastAddress(), Math::max);
        }
        top.forEach((kind, last) -> tables.put(kind, new int[last + 1]));
    }

    /** Stores the readings' values in their channels' registers (channels not in the map are ignored). */
    public synchronized void update(List<Reading> readings) {
        for (Reading r : readings) {
            set(r.channelId(), r.value());
        }
    }

    /** Stores one channel's value. */
    public synchronized void set(String channelId, double value) {
        RegisterChannel c = byId.get(channelId);
        if (c == null || !Double.isFinite(value)) {
            return;
        }
        int[] words = c.encode(value);
        System.arraycopy(words, 0, tables.get(c.kind()), c.address(), words.length);
    }

    @Override
    public synchronized int register(RegisterKind kind, int address) {
        return word(kind, address);
    }

    @Override
    public synchronized boolean bit(RegisterKind kind, int address) {
        return word(kind, address) != 0;
    }

    @Override
    public synchronized void writeRegister(int address, int value) {
        int[] table = tables.get(RegisterKind.HOLDING);
        if (table == null || address < 0 || address >= table.length) {
            throw new IllegalArgumentException("no holding register " + address);
        }
        table[address] = value & 0xFFFF;
    }

    private int word(RegisterKind kind, int address) {
        int[] table = tables.get(kind);
        if (table == null || address < 0 || address >= table.length) {
            throw new IllegalArgumentException("no " + kind + " address " + address);
        }
        return table[address];
    }
}
