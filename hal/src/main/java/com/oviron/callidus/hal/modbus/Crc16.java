package com.oviron.callidus.hal.modbus;

/** The CRC-16 of Modbus RTU (polynomial 0xA001 reflected, initial value 0xFFFF), sent low byte first. */
public final class Crc16 {
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0xA001 : crc >>> 1;
            }
            TABLE[i] = crc;
        }
    }

    private Crc16() {
    }

    /** The CRC of {@code length} bytes from {@code offset}. */
    public static int of(byte[] data, int offset, int length) {
        int crc = 0xFFFF;
        for (int i = offset; i < offset + length; i++) {
            crc = (crc >>> 8) ^ TABLE[(crc ^ data[i]) & 0xFF];
        }
        return crc;
    }

    /** Appends the CRC of the whole array, low byte first, and returns the new array. */
    public static byte[] append(byte[] frame) {
        int crc = of(frame, 0, frame.length);
        byte[] out = java.util.Arrays.copyOf(frame, frame.length + 2);
        out[frame.length] = (byte) crc;
        out[frame.length + 1] = (byte) (crc >>> 8);
        return out;
    }

    /** Whether the last two bytes of the first {@code length} bytes are the CRC of the ones before. */
    public static boolean isValid(byte[] frame, int length) {
        if (length < 3) {
            return false;
        }
        int crc = of(frame, 0, length - 2);
        return (frame[length - 2] & 0xFF) == (crc & 0xFF) && (frame[length - 1] & 0xFF) == (crc >>> 8);
    }
}
