package com.oviron.callidus.hal;

/**
 * How far a {@link Reading}'s value can be trusted. The codes are stored and sent on the wire: never renumber.
 */
public enum Quality {
    /** The board answered and the value is within the channel's valid range. */
    GOOD(0),
    /** The board answered but the value is outside the channel's valid range. */
    OUT_OF_RANGE(1),
    /** The board did not answer in time; the value is the last good one, or NaN if there was none. */
    STALE(2),
    /** The line delivered garbage (CRC error, exception response); the value is NaN. */
    COMM_ERROR(3);

    private final int code;

    Quality(int code) {
        this.code = code;
    }

    /** The stable numeric code used in storage and on the wire. */
    public int code() {
        return code;
    }

    /** The quality for a stored or received code; unknown codes are {@link #COMM_ERROR}. */
    public static Quality fromCode(int code) {
        for (Quality q : values()) {
            if (q.code == code) {
                return q;
            }
        }
        return COMM_ERROR;
    }
}
