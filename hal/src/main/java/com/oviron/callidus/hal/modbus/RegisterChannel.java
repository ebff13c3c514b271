package com.oviron.callidus.hal.modbus;

import com.oviron.callidus.hal.Channel;
import java.time.Duration;
import java.util.Objects;

/**
 * Where one channel lives in the board's Modbus address space and how its raw value becomes a value in its
 * unit: {@code value = raw * scale + offset}. One entry of the register map (docs/hardware.md).
 *
 * @param channel      id, name and unit
 * @param kind         which Modbus table
 * @param address      first register (or bit) address, 0-based as on the wire
 * @param type         how the raw value is encoded
 * @param wordOrder    for 32-bit types, which register holds the high word
 * @param scale        multiplier from raw to value (not 0)
 * @param offset       added after scaling
 * @param samplePeriod how often it is read
 * @param deadband     a new value is reported only when it differs from the last reported one by more than
 *                     this (0: every sample)
 * @param validMin     smallest plausible value; below it the reading is OUT_OF_RANGE
 * @param validMax     largest plausible value; above it the reading is OUT_OF_RANGE
 */
public record RegisterChannel(Channel channel, RegisterKind kind, int address, DataType type, WordOrder wordOrder,
                              double scale, double offset, Duration samplePeriod, double deadband,
                              double validMin, double validMax) {

    /** The four Modbus tables. */
    public enum RegisterKind {
        HOLDING(true), INPUT(true), COIL(false), DISCRETE_INPUT(false);

        private final boolean registers;

        RegisterKind(boolean registers) {
            this.registers = registers;
        }

        /** 16-bit registers (true) or single bits (false). */
        public boolean isRegister() {
            return registers;
        }
    }

    /** Encodings of a raw value. */
    public enum DataType {
        U16(1), I16(1), U32(2), I32(2), FLOAT32(2), BOOL(1);

        private final int registers;

        DataType(int registers) {
            this.registers = registers;
        }

        /** How many registers (or bits, for BOOL) the value takes. */
        public int width() {
            return registers;
        }
    }

    /** Which of the two registers of a 32-bit value comes first. */
    public enum WordOrder { HIGH_FIRST, LOW_FIRST }

    public RegisterChannel {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(wordOrder, "wordOrder");
        Objects.requireNonNull(samplePeriod, "samplePeriod");
    }

    /** The last address the value occupies. */
    public int lastAddress() {
        return address + type.width() - 1;
    }

    /** The value in the channel's unit from the raw registers (or one bit as 0/1) starting at {@link #address}. */
    public double decode(int[] words, int index) {
        long raw = switch (type) {
            case U16, BOOL -> words[index] & 0xFFFF;
            case I16 -> (short) words[index];
            case U32 -> combine(words, index) & 0xFFFF_FFFFL;
            case I32 -> (int) combine(words, index);
            case FLOAT32 -> 0;
        };
        double rawValue = type == DataType.FLOAT32 ? Float.intBitsToFloat((int) combine(words, index)) : raw;
        return rawValue * scale + offset;
    }

    private long combine(int[] words, int index) {
        int first = words[index] & 0xFFFF;
        int second = words[index + 1] & 0xFFFF;
        return wordOrder == WordOrder.HIGH_FIRST ? ((long) first << 16) | second : ((long) second << 16) | first;
    }

    /** The raw registers for a value in the channel's unit (what a board would hold); clamps to the type. */
    public int[] encode(double value) {
        double raw = (value - offset) / scale;
        return switch (type) {
            case U16, BOOL -> new int[] {(int) clamp(Math.round(raw), 0, type == DataType.BOOL ? 1 : 0xFFFF)};
            case I16 -> new int[] {(int) clamp(Math.round(raw), Short.MIN_VALUE, Short.MAX_VALUE) & 0xFFFF};
            case U32 -> split(clamp(Math.round(raw), 0, 0xFFFF_FFFFL));
            case I32 -> split(clamp(Math.round(raw), Integer.MIN_VALUE, Integer.MAX_VALUE) & 0xFFFF_FFFFL);
            case FLOAT32 -> split(Float.floatToIntBits((float) raw) & 0xFFFF_FFFFL);
        };
    }

    private int[] split(long bits) {
        int high = (int) ((bits >>> 16) & 0xFFFF);
        int low = (int) (bits & 0xFFFF);
        return wordOrder == WordOrder.HIGH_FIRST ? new int[] {high, low} : new int[] {low, high};
    }

    private static long clamp(long v, long min, long max) {
        return Math.max(min, Math.min(max, v));
    }
}
