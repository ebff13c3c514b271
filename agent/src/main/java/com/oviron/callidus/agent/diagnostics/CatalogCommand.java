package com.oviron.callidus.agent.diagnostics;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.command.Command;
import com.oviron.callidus.cloud.command.CommandArgs;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.command.CommandException;
import java.util.Optional;

/** {@code catalog.get}: one entry of the error-code catalog, or all of them, in every language. */
public final class CatalogCommand {
    private final ErrorCatalog catalog;

    public CatalogCommand(ErrorCatalog catalog) {
        this.catalog = catalog;
    }

    public void registerOn(CommandChannel channel) {
        channel.register("catalog.get", this::get);
    }

    JsonElement get(Command command) throws CommandException {
        CommandArgs args = command.arguments().allowOnly("code");
        Optional<String> code = args.optionalString("code");
        JsonObject r = new JsonObject();
        r.addProperty("version", catalog.version());
        JsonArray entries = new JsonArray();
        if (code.isPresent()) {
            ErrorCatalog.Entry e = catalog.entry(code.get()).orElseThrow(() -> CommandException.invalidArgument("code",
                    "no code " + code.get() + " in the catalog (version " + catalog.version() + ")"));
            entries.add(e.toJson());
        } else {
            catalog.codes().forEach(c -> entries.add(catalog.entry(c).orElseThrow().toJson()));
        }
        r.add("entries", entries);
        return r;
    }
}
