package com.oviron.callidus.agent.diagnostics;

/**
 * Every error-catalog code the agent's code uses by name (the shipped alarm rules name theirs in their
 * resource). A test checks that each is in {@link ErrorCatalog}.
 */
public final class Codes {
    /** A threshold rule's default code when the rule names none: above. */
    public static final String HIGH = "A001";
    /** Below. */
    public static final String LOW = "A002";
    /** Rate of change. */
    public static final String RATE = "A003";
    /** Stuck sensor. */
    public static final String STUCK = "A004";
    /** Outside the valid range. */
    public static final String OUT_OF_RANGE = "A005";
    /** A GPIO input active. */
    public static final String GPIO_INPUT = "A006";
    /** No communication with the main board. */
    public static final String BOARD_SILENT = "A010";
    /** Configuration invalid (the agent does not start). */
    public static final String CONFIG_INVALID = "E001";
    /** Self-test failed (the event of a failed self-test). */
    public static final String SELFTEST_FAILED = "E030";
    public static final String CHECK_BOARD = "E101";
    public static final String CHECK_CHANNELS = "E102";
    public static final String CHECK_GPIO = "E103";
    public static final String CHECK_STORAGE = "E104";
    public static final String CHECK_DISK = "E105";
    public static final String CHECK_CLOCK = "E106";
    public static final String CHECK_BROKER = "E107";
    public static final String CHECK_ALARMS = "E108";

    private Codes() {
    }
}
