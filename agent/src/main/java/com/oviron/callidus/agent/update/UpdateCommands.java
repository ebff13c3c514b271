package com.oviron.callidus.agent.update;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.command.Command;
import com.oviron.callidus.cloud.command.CommandArgs;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.command.CommandException;
import com.oviron.callidus.cloud.command.ErrorCode;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The update commands (docs/protocol.md, "Software updates"): {@code update.status}, {@code update.install}
 * and {@code update.cancel}.
 */
public final class UpdateCommands {
    /** The shape of a file transfer id in {@code update.install}. */
    public static final Pattern TRANSFER_ID = Pattern.compile("[A-Za-z0-9._:-]+");

    private final UpdateService service;
    private final SlotManager slots;
    private final PackageResolver resolver;
    private final String hardwareId;

    public UpdateCommands(UpdateService service, SlotManager slots, PackageResolver resolver, String hardwareId) {
        this.service = Objects.requireNonNull(service, "service");
        this.slots = Objects.requireNonNull(slots, "slots");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.hardwareId = Objects.requireNonNull(hardwareId, "hardwareId");
    }

    public void registerOn(CommandChannel channel) {
        channel.register("update.status", this::status);
        channel.register("update.install", this::install);
        channel.register("update.cancel", this::cancel);
    }

    JsonElement status(Command command) throws CommandException {
        command.arguments().allowOnly();
        SlotState s = slots.state();
        JsonObject r = new JsonObject();
        r.addProperty("hardware", hardwareId);
        JsonObject installed = new JsonObject();
        installed.addProperty("slot", s.committedSlot());
        installed.addProperty("version", s.committedVersion().toString());
        installed.addProperty("securityVersion", s.securityFloor());
        r.add("installed", installed);
        r.addProperty("current", slots.currentSlot().orElse("unknown"));
        if (s.trial().isPresent()) {
            SlotState.Trial t = s.trial().get();
            JsonObject trial = new JsonObject();
            trial.addProperty("slot", t.slot());
            trial.addProperty("version", t.version().toString());
            trial.addProperty("securityVersion", t.securityVersion());
            trial.addProperty("since", t.sinceMillis());
            trial.addProperty("attempts", t.attempts());
            r.add("trial", trial);
        } else {
            r.add("trial", JsonNull.INSTANCE);
        }
        if (s.last().isPresent()) {
            SlotState.LastResult l = s.last().get();
            JsonObject last = new JsonObject();
            last.addProperty("outcome", l.outcome());
            last.addProperty("version", l.version().toString());
            last.addProperty("reason", l.reason());
            last.addProperty("at", l.atMillis());
            r.add("lastResult", last);
        } else {
            r.add("lastResult", JsonNull.INSTANCE);
        }
        r.addProperty("busy", service.busy());
        r.add("step", service.lastStatus().<JsonElement>map(UpdateStatus::toJson).orElse(JsonNull.INSTANCE));
        return r;
    }

    JsonElement install(Command command) throws CommandException {
        CommandArgs args = command.arguments().allowOnly("transfer");
        String transfer = args.string("transfer", TRANSFER_ID, 64);
        Path file = resolver.resolve(transfer);
        try {
            service.install(file);
        } catch (UpdateService.BusyException e) {
            throw new CommandException(ErrorCode.BUSY, e.getMessage());
        }
        JsonObject r = new JsonObject();
        r.addProperty("started", true);
        r.addProperty("transfer", transfer);
        return r;
    }

    JsonElement cancel(Command command) throws CommandException {
        command.arguments().allowOnly();
        boolean cancelled;
        try {
            cancelled = service.cancel();
        } catch (IllegalStateException e) {
            throw new CommandException(ErrorCode.FAILED, e.getMessage());
        }
        JsonObject r = new JsonObject();
        r.addProperty("cancelled", cancelled);
        if (!cancelled) {
            r.addProperty("detail", "no update under way");
        }
        return r;
    }
}
