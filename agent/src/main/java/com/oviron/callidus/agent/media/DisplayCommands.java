package com.oviron.callidus.agent.media;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.command.Command;
import com.oviron.callidus.cloud.command.CommandArgs;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.command.CommandException;
import com.oviron.callidus.cloud.command.ErrorCode;
import com.oviron.callidus.cloud.files.FileKind;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The cloud's commands for display images (docs/protocol.md): {@code display.get} reports the current and
 * previous logo and screen saver, {@code display.rollback} brings back the previous one of a kind.
 */
public final class DisplayCommands {
    /** Command names. */
    public static final String GET = "display.get";
    public static final String ROLLBACK = "display.rollback";

    private final DisplayImageInstaller installer;

    public DisplayCommands(DisplayImageInstaller installer) {
        this.installer = installer;
    }

    /** Registers {@value #GET} and {@value #ROLLBACK}. */
    public void registerOn(CommandChannel channel) {
        channel.register(GET, this::get);
        channel.register(ROLLBACK, this::rollback);
    }

    JsonElement get(Command command) throws CommandException {
        CommandArgs args = command.arguments().allowOnly("kind");
        Optional<String> kindArg = args.optionalString("kind");
        List<FileKind> kinds = kindArg.isPresent() ? List.of(kind(kindArg.get()))
                : List.of(FileKind.LOGO, FileKind.SCREENSAVER);
        JsonObject result = new JsonObject();
        try {
            for (FileKind kind : kinds) {
                JsonObject slots = new JsonObject();
                slots.add("current", json(installer.installed(kind)));
                slots.add("previous", json(installer.previous(kind)));
                result.add(kind.wire(), slots);
            }
        } catch (IOException e) {
            throw new CommandException(ErrorCode.FAILED, "cannot read the display folder: " + e.getMessage(), e);
        }
        return result;
    }

    JsonElement rollback(Command command) throws CommandException {
        CommandArgs args = command.arguments().allowOnly("kind");
        FileKind kind = kind(args.string("kind"));
        try {
            installer.rollback(kind);
            JsonObject result = new JsonObject();
            result.addProperty("kind", kind.wire());
            result.add("current", json(installer.installed(kind)));
            result.add("previous", json(installer.previous(kind)));
            return result;
        } catch (NoPreviousImageException e) {
            throw new CommandException(ErrorCode.FAILED, e.getMessage(), e);
        } catch (IOException e) {
            throw new CommandException(ErrorCode.FAILED, "rollback failed, the " + kind.wire() + " shown is unchanged: "
                    + e.getMessage(), e);
        }
    }

    private static FileKind kind(String s) throws CommandException {
        Optional<FileKind> kind = FileKind.fromWire(s);
        if (kind.isEmpty() || !DisplayImageInstaller.handles(kind.get())) {
            throw CommandException.invalidArgument("kind", "must be logo or screensaver");
        }
        return kind.get();
    }

    static JsonElement json(Optional<InstalledImage> image) {
        if (image.isEmpty()) {
            return JsonNull.INSTANCE;
        }
        InstalledImage i = image.get();
        JsonObject o = new JsonObject();
        o.addProperty("name", i.name());
        o.addProperty("size", i.size());
        o.addProperty("sha256", i.sha256());
        o.addProperty("format", i.format().wire());
        o.addProperty("width", i.width());
        o.addProperty("height", i.height());
        o.addProperty("installedAt", i.installedAt().toEpochMilli());
        return o;
    }
}
