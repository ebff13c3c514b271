package com.oviron.callidus.agent.settings;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.command.Command;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.command.CommandException;
import com.oviron.callidus.cloud.command.ErrorCode;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.settings.ClinicDefaults;
import com.oviron.callidus.store.settings.DocumentVersion;
import com.oviron.callidus.store.settings.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.tinylog.Logger;

/**
 * The {@code settings.*} commands (docs/protocol.md). Each reads and checks all of its arguments
 * first, then does its work on the settings-sync thread: a command either changes everything it names or
 * nothing.
 */
final class SettingsCommands {
    static final Pattern CLINIC = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    static final Pattern AUTHORIZATION = Pattern.compile("[\\x21-\\x7e]{1,4096}");
    /** Content is left out of a reply above this, so that the reply stays under the 128 KB limit. */
    static final int MAX_REPLY_CONTENT_BYTES = 96 * 1024;

    private final SettingsSync sync;

    SettingsCommands(SettingsSync sync) {
        this.sync = sync;
    }

    void registerOn(CommandChannel channel) {
        channel.register("settings.get", this::get);
        channel.register("settings.put", this::put);
        channel.register("settings.defaults", this::defaults);
        channel.register("settings.restore", this::restore);
        channel.register("settings.backup", this::backup);
    }

    JsonElement get(Command command) throws CommandException {
        List<String> names = command.arguments().allowOnly("names").strings("names", CloudSettingsChanges.MAX_DOCUMENTS);
        for (int i = 0; i < names.size(); i++) {
            String problem = DocumentName.problem(names.get(i));
            if (problem != null) {
                throw CommandException.invalidArgument("names[" + i + "]", problem);
            }
        }
        return run(command, () -> {
            sync.scan();
            List<DocumentVersion> all = sync.versions().latestAll();
            JsonArray docs = new JsonArray();
            Set<String> missing = new TreeSet<>(names);
            for (DocumentVersion v : all) {
                if ((names.isEmpty() && !v.deleted()) || names.contains(v.name())) {
                    JsonObject d = BackupMessages.documentJson(v);
                    d.addProperty("synced", sync.versions().synced(v.name()).map(s -> s.version() == v.version())
                            .orElse(false));
                    docs.add(d);
                    missing.remove(v.name());
                }
            }
            JsonObject result = new JsonObject();
            result.add("documents", docs);
            JsonArray absent = new JsonArray();
            missing.forEach(absent::add);
            result.add("missing", absent);
            JsonArray defaults = new JsonArray();
            for (ClinicDefaults d : sync.versions().defaults()) {
                JsonObject o = new JsonObject();
                o.addProperty("name", d.name());
                o.addProperty("clinic", d.clinic());
                o.addProperty("version", d.version());
                o.addProperty("sha256", d.sha256());
                defaults.add(o);
            }
            result.add("defaults", defaults);
            return result;
        });
    }

    JsonElement put(Command command) throws CommandException {
        var args = command.arguments().allowOnly("documents", "force");
        boolean force = args.optionalBoolean("force").orElse(false);
        List<CloudSettingsChanges.Incoming> docs = documents(command, true);
        ThreeWayMerge.Owner owner = force ? ThreeWayMerge.Owner.CLOUD : ThreeWayMerge.Owner.LOCAL;
        return run(command, () -> {
            checkNotEditing(docs, false);
            CloudSettingsChanges.Applied applied = sync.changes().put(docs, owner,
                    "command " + command.id() + (force ? " force" : ""));
            sync.cloudChanged("put", command.id(), names(docs), applied.conflicts());
            Logger.info("settings put applied command={} documents={} newVersions={} conflicts={} force={}",
                    command.id(), docs.size(), applied.versions().size(), applied.conflicts().size(), force);
            return result(applied, "conflicts");
        });
    }

    JsonElement defaults(Command command) throws CommandException {
        var args = command.arguments().allowOnly("clinic", "documents");
        String clinic = args.string("clinic", CLINIC, 64);
        List<CloudSettingsChanges.Incoming> docs = documents(command, false);
        return run(command, () -> {
            checkNotEditing(docs, false);
            CloudSettingsChanges.Applied applied = sync.changes().defaults(clinic, docs);
            sync.cloudChanged("defaults", command.id(), names(docs), List.of());
            Logger.info("settings clinic defaults applied command={} clinic={} documents={} newVersions={}"
                    + " roomOverrides={}", command.id(), clinic, docs.size(), applied.versions().size(),
                    applied.conflicts().size());
            return result(applied, "overrides");
        });
    }

    JsonElement restore(Command command) throws CommandException {
        var args = command.arguments().allowOnly("sourceDevice", "authorization", "documents");
        String source = args.string("sourceDevice");
        if (!Topics.isValidDeviceId(source)) {
            throw CommandException.invalidArgument("sourceDevice", "must be a device id: 1 to 64 letters, digits,"
                    + " '-' or '_'");
        }
        String authorization = args.string("authorization", AUTHORIZATION, 4096);
        List<CloudSettingsChanges.Incoming> docs = documents(command, false);
        // the authorisation may be a credential: only its fingerprint is kept and logged
        String fingerprint = Sha256.hex(authorization.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        String note = "restore from " + source + " authorization sha256:" + fingerprint + " command " + command.id();
        return run(command, () -> {
            checkNotEditing(docs, true);
            CloudSettingsChanges.Applied applied = sync.changes().restore(docs, note);
            List<DocumentName> touched = new ArrayList<>(names(docs));
            applied.versions().forEach(v -> touched.add(new DocumentName(v.name())));
            sync.cloudChanged("restore", command.id(), touched, List.of());
            Logger.info("settings restored command={} sourceDevice={} authorization=sha256:{} documents={}"
                    + " removed={}", command.id(), source, fingerprint, docs.size(),
                    applied.versions().stream().filter(DocumentVersion::deleted).count());
            JsonObject result = result(applied, "conflicts");
            result.remove("conflicts");
            JsonArray removed = new JsonArray();
            applied.versions().stream().filter(DocumentVersion::deleted).forEach(v -> removed.add(v.name()));
            result.add("removed", removed);
            result.addProperty("sourceDevice", source);
            return result;
        });
    }

    JsonElement backup(Command command) throws CommandException {
        command.arguments().allowOnly();
        return run(command, () -> {
            sync.scan();
            JsonObject result = new JsonObject();
            int documents = (int) sync.versions().latestAll().stream().filter(v -> !v.deleted()).count();
            int messages = sync.backupNowOnThread();
            result.addProperty("documents", documents);
            result.addProperty("messages", messages);
            result.addProperty("connected", messages > 0);
            return result;
        });
    }

    private void checkNotEditing(List<CloudSettingsChanges.Incoming> docs, boolean all) throws CommandException {
        Set<DocumentName> settling = sync.scan();
        for (DocumentName n : settling) {
            if (all || names(docs).contains(n)) {
                throw new CommandException(ErrorCode.BUSY, n + " is being changed on the unit right now; nothing was"
                        + " changed, retry in a few seconds");
            }
        }
    }

    private static List<DocumentName> names(List<CloudSettingsChanges.Incoming> docs) {
        return docs.stream().map(CloudSettingsChanges.Incoming::name).toList();
    }

    private static JsonObject result(CloudSettingsChanges.Applied applied, String conflictField) {
        JsonObject result = new JsonObject();
        JsonArray docs = new JsonArray();
        int contentBytes = 0;
        for (DocumentVersion v : applied.current()) {
            JsonObject d = BackupMessages.documentJson(v);
            d.addProperty("changed", applied.versions().stream().anyMatch(n -> n.name().equals(v.name())));
            JsonElement content = d.get("content");
            if (content != null) {
                contentBytes += SettingsJson.compact(content).length;
                if (contentBytes > MAX_REPLY_CONTENT_BYTES) {
                    d.remove("content");
                    d.addProperty("contentOmitted", true);
                }
            }
            docs.add(d);
        }
        result.add("documents", docs);
        JsonArray conflicts = new JsonArray();
        for (CloudSettingsChanges.DocumentConflict c : applied.conflicts()) {
            if (conflicts.size() >= 100) {
                result.addProperty(conflictField + "Truncated", applied.conflicts().size());
                break;
            }
            JsonObject o = SettingsReports.conflictJson(c.conflict());
            o.addProperty("document", c.name().path());
            conflicts.add(o);
        }
        result.add(conflictField, conflicts);
        return result;
    }

    /** Reads {@code args.documents}: an array of {name, content, baseVersion?} (baseVersion only for put). */
    private static List<CloudSettingsChanges.Incoming> documents(Command command, boolean withBase)
            throws CommandException {
        JsonElement raw = command.args().get("documents");
        if (raw == null || raw.isJsonNull()) {
            throw CommandException.invalidArgument("documents", "required");
        }
        if (!raw.isJsonArray()) {
            throw CommandException.invalidArgument("documents", "must be an array of {name, content"
                    + (withBase ? ", baseVersion" : "") + "}");
        }
        if (raw.getAsJsonArray().size() > CloudSettingsChanges.MAX_DOCUMENTS) {
            throw CommandException.invalidArgument("documents", "at most " + CloudSettingsChanges.MAX_DOCUMENTS
                    + " documents");
        }
        List<CloudSettingsChanges.Incoming> out = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        int i = 0;
        for (JsonElement e : raw.getAsJsonArray()) {
            String at = "documents[" + i++ + "]";
            if (!e.isJsonObject()) {
                throw CommandException.invalidArgument(at, "must be an object");
            }
            JsonObject o = e.getAsJsonObject();
            for (String key : o.keySet()) {
                if (!key.equals("name") && !key.equals("content") && !(withBase && key.equals("baseVersion"))) {
                    throw CommandException.invalidArgument(at + "." + key, "unknown field");
                }
            }
            if (!(o.get("name") instanceof JsonPrimitive p) || !p.isString()) {
                throw CommandException.invalidArgument(at + ".name", "required, a string");
            }
            String problem = DocumentName.problem(p.getAsString());
            if (problem != null) {
                throw CommandException.invalidArgument(at + ".name", problem);
            }
            if (!seen.add(p.getAsString())) {
                throw CommandException.invalidArgument(at + ".name", p.getAsString() + " is given twice");
            }
            if (o.get("content") == null || !o.get("content").isJsonObject()) {
                throw CommandException.invalidArgument(at + ".content", "required, a JSON object");
            }
            OptionalLong base = OptionalLong.empty();
            if (o.has("baseVersion") && !o.get("baseVersion").isJsonNull()) {
                base = OptionalLong.of(baseVersion(o.get("baseVersion"), at));
            }
            out.add(new CloudSettingsChanges.Incoming(new DocumentName(p.getAsString()),
                    o.getAsJsonObject("content"), base));
        }
        return out;
    }

    private static long baseVersion(JsonElement e, String at) throws CommandException {
        try {
            if (e instanceof JsonPrimitive p && p.isNumber()) {
                long v = p.getAsBigDecimal().longValueExact();
                if (v >= 0) {
                    return v;
                }
            }
        } catch (ArithmeticException | NumberFormatException ex) {
            // falls through to the error
        }
        throw CommandException.invalidArgument(at + ".baseVersion", "must be an integer >= 0 (0: a new document)");
    }

    @FunctionalInterface
    private interface Work {
        JsonObject run() throws Exception;
    }

    private JsonElement run(Command command, Work work) throws CommandException {
        try {
            return sync.onSyncThread(work::run);
        } catch (CommandException e) {
            throw e;
        } catch (InvalidSettingsException e) {
            throw new CommandException(ErrorCode.INVALID_ARGUMENT, e.getMessage() + "; nothing was changed");
        } catch (StoreException | IOException e) {
            throw new CommandException(ErrorCode.FAILED, "settings not changed: " + e.getMessage());
        } catch (TimeoutException e) {
            throw new CommandException(ErrorCode.FAILED, "the settings thread did not answer within 60 s; the"
                    + " change may still be applied: check with settings.get");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException(ErrorCode.INTERRUPTED, "interrupted while waiting for the settings thread");
        } catch (Exception e) {
            Logger.error(e, "settings command failed id={} name={}", command.id(), command.name());
            throw new CommandException(ErrorCode.FAILED, "settings not changed: " + e);
        }
    }
}
