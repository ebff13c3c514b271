package com.oviron.callidus.cloud.command;

import com.google.gson.JsonElement;

/**
 * Carries out one kind of command. Runs on the command channel's own thread, one command at a time: work
 * that takes longer than a second or so (a file transfer, a report over months) is started here and goes on
 * elsewhere; the reply then says it was started.
 *
 * <p>A handler either completes the whole change or none of it, and validates every argument before it
 * changes anything: an {@link ErrorCode#INVALID_ARGUMENT} must leave the unit as it was.
 */
@FunctionalInterface
public interface CommandHandler {

    /**
     * @return the reply's {@code result} (a JSON object, usually); never null
     * @throws CommandException to reply with a typed error
     */
    JsonElement handle(Command command) throws CommandException;
}
