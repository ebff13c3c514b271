package com.oviron.callidus.agent.alarms;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.oviron.callidus.agent.diagnostics.ChannelInfo;
import com.oviron.callidus.agent.diagnostics.ErrorCatalog;
import com.oviron.callidus.cloud.command.Command;
import com.oviron.callidus.cloud.command.CommandArgs;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.command.CommandException;
import com.oviron.callidus.store.diagnostics.AlarmRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code alarms.list} and {@code alarms.ack} (docs/protocol.md): the open alarms with their code and text, and
 * acknowledging one or all of them (from the cloud, or the console's {@code ack}).
 */
public final class AlarmCommands {
    private static final Pattern BY = Pattern.compile("[\\p{L}\\p{N} ._@'-]{1,64}");

    private final AlarmBook book;
    private final ErrorCatalog catalog;
    private final Map<String, ChannelInfo> channels = new HashMap<>();

    public AlarmCommands(AlarmBook book, ErrorCatalog catalog, List<ChannelInfo> channels) {
        this.book = book;
        this.catalog = catalog;
        channels.forEach(c -> this.channels.put(c.id(), c));
    }

    public void registerOn(CommandChannel channel) {
        channel.register("alarms.list", this::list);
        channel.register("alarms.ack", this::ack);
    }

    JsonElement list(Command command) throws CommandException {
        String lang = language(command.arguments().allowOnly("lang"));
        JsonObject r = new JsonObject();
        r.add("alarms", json(book.open(), lang));
        r.addProperty("catalogVersion", catalog.version());
        return r;
    }

    JsonElement ack(Command command) throws CommandException {
        CommandArgs args = command.arguments().allowOnly("id", "all", "by", "lang");
        Optional<Long> id = args.optionalInteger("id", 1, Long.MAX_VALUE);
        boolean all = args.optionalBoolean("all").orElse(false);
        if (id.isPresent() == all) {
            throw CommandException.invalidArgument("id", "give the alarm's id, or all: true (not both)");
        }
        String by = args.optionalString("by").orElse(command.id().startsWith("console-") ? "console" : "cloud");
        if (!BY.matcher(by).matches()) {
            throw CommandException.invalidArgument("by", "1 to 64 letters, digits, spaces or ._@'-");
        }
        String lang = language(args);
        List<AlarmRecord> done;
        try {
            done = book.acknowledge(id, by);
        } catch (IllegalArgumentException e) {
            throw CommandException.invalidArgument("id", e.getMessage());
        }
        JsonObject r = new JsonObject();
        r.add("acknowledged", json(done, lang));
        r.add("open", json(book.open(), lang));
        return r;
    }

    private static String language(CommandArgs args) throws CommandException {
        String lang = args.optionalString("lang").orElse("en");
        if (!ErrorCatalog.LANGUAGES.contains(lang)) {
            throw CommandException.invalidArgument("lang", "must be one of " + ErrorCatalog.LANGUAGES);
        }
        return lang;
    }

    private JsonArray json(List<AlarmRecord> alarms, String lang) {
        JsonArray a = new JsonArray();
        for (AlarmRecord x : alarms) {
            a.add(AlarmJson.of(x, channels.get(x.channel()), catalog.entryOrUnknown(x.code()), lang));
        }
        return a;
    }
}
