package com.oviron.callidus.cloud.command;

import java.util.Objects;

/** A command that is answered with an error; {@link #getMessage()} is the reason, for people. */
public final class CommandException extends Exception {
    private final ErrorCode code;

    public CommandException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    public CommandException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }

    /** An {@link ErrorCode#INVALID_ARGUMENT} naming the argument. */
    public static CommandException invalidArgument(String argument, String problem) {
        return new CommandException(ErrorCode.INVALID_ARGUMENT, "args." + argument + ": " + problem);
    }
}
