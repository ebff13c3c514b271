package com.oviron.callidus.cloud.command;

/**
 * The typed errors a command reply can carry (docs/protocol.md, "Commands"). The cloud decides by the code;
 * the message is for people.
 */
public enum ErrorCode {
    /** Not JSON, not an object, a required field missing or of the wrong type, a duplicated key. */
    MALFORMED,
    /** The message is larger than the unit accepts for a command. */
    TOO_LARGE,
    /** The command's expiry had passed when it arrived (or it expires too far in the future). */
    EXPIRED,
    /** No command of that name. */
    UNKNOWN_COMMAND,
    /** An argument is missing, unknown, of the wrong type or out of range; nothing was changed. */
    INVALID_ARGUMENT,
    /** The command is valid but the unit cannot do it now (another transfer running, a treatment...). */
    BUSY,
    /** The subscription does not cover the command (issue 6). */
    NOT_ENTITLED,
    /** Remote support without the consent of a person at the unit (issue 14: {@code console.open}). */
    NOT_CONSENTED,
    /** The unit restarted while the command ran; its effect was rolled back or never happened. */
    INTERRUPTED,
    /** The command was tried and failed; nothing was half-applied. */
    FAILED;

    /** The code as it travels: lower case with underscores, e.g. {@code unknown_command}. */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
