package com.oviron.callidus.cloud.command;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed, strict access to a command's arguments: a missing, mistyped or out-of-range argument, or one the
 * command does not know, becomes a {@link CommandException} with {@link ErrorCode#INVALID_ARGUMENT} that
 * names it. A handler calls {@link #allowOnly} first, then reads what it needs, and changes nothing before
 * every read has succeeded.
 */
public final class CommandArgs {
    private final JsonObject args;

    CommandArgs(JsonObject args) {
        this.args = args;
    }

    /** Refuses any argument not named here. */
    public CommandArgs allowOnly(String... names) throws CommandException {
        Set<String> unknown = new TreeSet<>(args.keySet());
        unknown.removeAll(Set.of(names));
        if (!unknown.isEmpty()) {
            throw CommandException.invalidArgument(unknown.iterator().next(),
                    "unknown argument (this command takes " + (names.length == 0 ? "none" : String.join(", ", names))
                            + ")");
        }
        return this;
    }

    public boolean has(String name) {
        return args.has(name) && !args.get(name).isJsonNull();
    }

    public String string(String name) throws CommandException {
        return optionalString(name).orElseThrow(() -> CommandException.invalidArgument(name, "required"));
    }

    public Optional<String> optionalString(String name) throws CommandException {
        if (!has(name)) {
            return Optional.empty();
        }
        JsonElement e = args.get(name);
        if (!(e instanceof JsonPrimitive p) || !p.isString()) {
            throw CommandException.invalidArgument(name, "must be a string");
        }
        return Optional.of(p.getAsString());
    }

    /** A string of 1 to {@code maxLength} characters matching {@code pattern}. */
    public String string(String name, java.util.regex.Pattern pattern, int maxLength) throws CommandException {
        String s = string(name);
        if (s.isEmpty() || s.length() > maxLength || !pattern.matcher(s).matches()) {
            throw CommandException.invalidArgument(name, "must be 1 to " + maxLength + " characters matching "
                    + pattern.pattern());
        }
        return s;
    }

    public long integer(String name, long min, long max) throws CommandException {
        return optionalInteger(name, min, max).orElseThrow(() -> CommandException.invalidArgument(name, "required"));
    }

    public Optional<Long> optionalInteger(String name, long min, long max) throws CommandException {
        if (!has(name)) {
            return Optional.empty();
        }
        JsonElement e = args.get(name);
        if (!(e instanceof JsonPrimitive p) || !p.isNumber()) {
            throw CommandException.invalidArgument(name, "must be an integer");
        }
        long v;
        try {
            v = p.getAsBigDecimal().longValueExact();
        } catch (ArithmeticException | NumberFormatException ex) {
            throw CommandException.invalidArgument(name, "must be an integer");
        }
        if (v < min || v > max) {
            throw CommandException.invalidArgument(name, "must be between " + min + " and " + max + ", got " + v);
        }
        return Optional.of(v);
    }

    public Optional<Boolean> optionalBoolean(String name) throws CommandException {
        if (!has(name)) {
            return Optional.empty();
        }
        JsonElement e = args.get(name);
        if (!(e instanceof JsonPrimitive p) || !p.isBoolean()) {
            throw CommandException.invalidArgument(name, "must be true or false");
        }
        return Optional.of(p.getAsBoolean());
    }

    public JsonObject object(String name) throws CommandException {
        return optionalObject(name).orElseThrow(() -> CommandException.invalidArgument(name, "required"));
    }

    public Optional<JsonObject> optionalObject(String name) throws CommandException {
        if (!has(name)) {
            return Optional.empty();
        }
        JsonElement e = args.get(name);
        if (!e.isJsonObject()) {
            throw CommandException.invalidArgument(name, "must be an object");
        }
        return Optional.of(e.getAsJsonObject().deepCopy());
    }

    /** An array of strings, at most {@code maxItems}; absent means empty. */
    public List<String> strings(String name, int maxItems) throws CommandException {
        if (!has(name)) {
            return List.of();
        }
        JsonElement e = args.get(name);
        if (!e.isJsonArray()) {
            throw CommandException.invalidArgument(name, "must be an array of strings");
        }
        if (e.getAsJsonArray().size() > maxItems) {
            throw CommandException.invalidArgument(name, "at most " + maxItems + " items");
        }
        List<String> out = new ArrayList<>();
        for (JsonElement item : e.getAsJsonArray()) {
            if (!(item instanceof JsonPrimitive p) || !p.isString()) {
                throw CommandException.invalidArgument(name, "must be an array of strings");
            }
            out.add(p.getAsString());
        }
        return List.copyOf(out);
    }
}
