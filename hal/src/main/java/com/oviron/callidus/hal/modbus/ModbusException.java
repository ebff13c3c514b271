package com.oviron.callidus.hal.modbus;

import com.oviron.callidus.hal.HalException;

/** A Modbus transaction failed; {@link #kind()} says how, so the caller can pick the reading's quality. */
public class ModbusException extends HalException {

    /** How a transaction failed. */
    public enum Kind {
        /** No (complete) answer within the timeout. */
        TIMEOUT,
        /** An answer arrived but its CRC was wrong: line noise. */
        CRC,
        /** The slave answered with a Modbus exception response. */
        EXCEPTION_RESPONSE,
        /** An answer with a valid CRC that does not fit the request (other slave, function, length). */
        MALFORMED,
        /** The serial device itself failed (unplugged, closed). */
        IO
    }

    private final Kind kind;
    private final int exceptionCode;

    public ModbusException(Kind kind, String message) {
        this(kind, 0, message, null);
    }

    public ModbusException(Kind kind, int exceptionCode, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.exceptionCode = exceptionCode;
    }

    public Kind kind() {
        return kind;
    }

    /** The Modbus exception code for {@link Kind#EXCEPTION_RESPONSE} (1 illegal function, 2 illegal address, ...), else 0. */
    public int exceptionCode() {
        return exceptionCode;
    }

    /** The name the Modbus specification gives an exception code. */
    public static String describe(int code) {
        return switch (code) {
            case 1 -> "illegal function";
            case 2 -> "illegal data address";
            case 3 -> "illegal data value";
            case 4 -> "slave device failure";
            case 5 -> "acknowledge";
            case 6 -> "slave device busy";
            case 8 -> "memory parity error";
            case 10 -> "gateway path unavailable";
            case 11 -> "gateway target failed to respond";
            default -> "unknown exception";
        };
    }
}
