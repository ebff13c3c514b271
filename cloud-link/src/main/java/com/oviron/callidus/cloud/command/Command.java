package com.oviron.callidus.cloud.command;

import com.google.gson.JsonObject;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A command from the cloud, validated by {@link CommandCodec}.
 *
 * @param id          the correlation id: 1 to 64 of letters, digits, '-', '_', '.', ':'; a command that
 *                    arrives again with the same id is answered again but carried out once
 * @param name        what to do, e.g. {@code status.get}
 * @param args        the arguments (an object, possibly empty); handlers read them through {@link CommandArgs}
 * @param issuedAtMillis  when the cloud sent it (epoch ms), for logs
 * @param expiresAtMillis after this instant (epoch ms, unit's clock) the command is not carried out
 */
public record Command(String id, String name, JsonObject args, long issuedAtMillis, long expiresAtMillis) {
    /** The shape of a correlation id. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    /** The shape of a command name: dotted lower-case words. */
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(\\.[a-z][a-z0-9-]*){0,3}");

    public Command {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(args, "args");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("command id must match " + ID.pattern());
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("command name must match " + NAME.pattern());
        }
        args = args.deepCopy();
    }

    /** A view of the arguments that turns every mistake into an {@link ErrorCode#INVALID_ARGUMENT}. */
    public CommandArgs arguments() {
        return new CommandArgs(args);
    }

    @Override
    public JsonObject args() {
        return args.deepCopy();
    }
}
