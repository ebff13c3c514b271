package com.oviron.callidus.agent.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.oviron.callidus.agent.diagnostics.ChannelInfo;
import com.oviron.callidus.agent.diagnostics.ErrorCatalog;
import com.oviron.callidus.agent.usage.UsageSettings;
import com.oviron.callidus.cloud.command.Command;
import com.oviron.callidus.cloud.command.CommandArgs;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.command.CommandException;
import com.oviron.callidus.cloud.command.ErrorCode;
import com.oviron.callidus.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.tinylog.Logger;

/**
 * {@code report.get} (docs/protocol.md): a period report as JSON, or as an HTML page that is sent to the cloud
 * as a file of kind {@code report} or, for the console, saved on the unit (and copied to the export folder).
 */
public final class ReportCommands {
    /** Buckets per channel when the caller gives no size: JSON must fit in one reply, a page may be finer. */
    static final int AUTO_BUCKETS_JSON = 150;
    static final int AUTO_BUCKETS_PAGE = 600;

    /** Sends a saved page to the cloud; returns the upload's transfer id. */
    @FunctionalInterface
    public interface Uploader {
        String upload(Path file) throws IOException;
    }

    private final ReportBuilder builder;
    private final List<ChannelInfo> channels;
    private final ErrorCatalog catalog;
    private final UsageSettings usage;
    private final ReportFiles files;
    private final Clock clock;
    private final String device;
    private volatile Optional<Uploader> uploader = Optional.empty();
    private volatile java.util.function.Supplier<List<com.oviron.callidus.store.diagnostics.AggregateRow>> running =
            List::of;

    public ReportCommands(ReportBuilder builder, List<ChannelInfo> channels, ErrorCatalog catalog, UsageSettings usage,
                          ReportFiles files, String device, Clock clock) {
        this.builder = builder;
        this.channels = List.copyOf(channels);
        this.catalog = catalog;
        this.usage = usage;
        this.files = files;
        this.device = device;
        this.clock = clock;
    }

    /** The minutes still running (the aggregator's, read on its thread), so a report reaches up to now. */
    public void setRunningMinutes(java.util.function.Supplier<List<com.oviron.callidus.store.diagnostics.AggregateRow>>
                                          supplier) {
        running = supplier;
    }

    /** The cloud services' file transfer, once it is there. */
    public void setUploader(Uploader u) {
        uploader = Optional.of(u);
    }

    public void registerOn(CommandChannel channel) {
        channel.register("report.get", this::report);
    }

    JsonElement report(Command command) throws CommandException {
        CommandArgs args = command.arguments().allowOnly("from", "to", "bucketMinutes", "channels", "format", "lang",
                "deliver");
        long from = args.integer("from", 0, Long.MAX_VALUE / 4);
        long to = args.integer("to", 0, Long.MAX_VALUE / 4);
        if (to <= from) {
            throw CommandException.invalidArgument("to", "must be after from");
        }
        if (to - from > ReportBuilder.MAX_SPAN_MILLIS) {
            throw CommandException.invalidArgument("to", "a report covers at most "
                    + ReportBuilder.MAX_SPAN_MILLIS / 86_400_000 + " days");
        }
        String format = args.optionalString("format").orElse("json");
        if (!format.equals("json") && !format.equals("html")) {
            throw CommandException.invalidArgument("format", "must be json or html");
        }
        String lang = args.optionalString("lang").orElse("en");
        if (!ErrorCatalog.LANGUAGES.contains(lang)) {
            throw CommandException.invalidArgument("lang", "must be one of " + ErrorCatalog.LANGUAGES);
        }
        Optional<String> deliver = args.optionalString("deliver");
        if (deliver.isPresent() && format.equals("json")) {
            throw CommandException.invalidArgument("deliver", "only for format html");
        }
        if (deliver.isPresent() && !deliver.get().equals("upload") && !deliver.get().equals("file")) {
            throw CommandException.invalidArgument("deliver", "must be upload or file");
        }
        long bucketMinutes = args.optionalInteger("bucketMinutes", 1, 31L * 24 * 60).orElse(
                ReportBuilder.autoBucketMinutes(from, to, format.equals("html") ? AUTO_BUCKETS_PAGE : AUTO_BUCKETS_JSON));
        long buckets = ReportBuilder.buckets(from, to, bucketMinutes);
        if (buckets > ReportBuilder.MAX_BUCKETS) {
            throw CommandException.invalidArgument("bucketMinutes", "the period has " + buckets
                    + " buckets of that size; at most " + ReportBuilder.MAX_BUCKETS + " (choose larger buckets)");
        }
        List<String> wanted = args.strings("channels", 100);
        List<ChannelInfo> selected = new ArrayList<>();
        for (String id : wanted) {
            selected.add(channels.stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow(() ->
                    CommandException.invalidArgument("channels", "no channel " + id)));
        }
        Report report;
        try {
            report = builder.build(from, to, bucketMinutes, selected.isEmpty() ? channels : selected, clock.millis(),
                    running.get());
        } catch (StoreException e) {
            throw new CommandException(ErrorCode.FAILED, "the diagnostics store could not be read: " + e.getMessage(),
                    e);
        }
        if (format.equals("json")) {
            return ReportJson.of(report, catalog, usage, lang);
        }
        return page(report, lang, deliver.orElse("upload"));
    }

    private JsonObject page(Report report, String lang, String deliver) throws CommandException {
        ReportFiles.Saved saved;
        try {
            saved = files.save(ReportFiles.name(device, report.fromMillis(), report.toMillis()),
                    ReportPage.of(report, catalog, usage, lang));
        } catch (IOException e) {
            throw new CommandException(ErrorCode.FAILED, "the report page could not be written: " + e.getMessage(), e);
        }
        JsonObject r = new JsonObject();
        r.addProperty("format", "html");
        r.addProperty("name", saved.file().getFileName().toString());
        r.addProperty("size", saved.size());
        r.addProperty("sha256", saved.sha256());
        if (deliver.equals("file")) {
            r.addProperty("path", saved.file().toAbsolutePath().toString());
            if (files.exportFolder().isPresent()) {
                try {
                    r.addProperty("exportedTo", files.export(saved).toAbsolutePath().toString());
                } catch (IOException e) {
                    Logger.warn("report page not exported name={} error={}", saved.file().getFileName(), e.getMessage());
                    r.addProperty("exportError", e.getMessage());
                }
            }
            return r;
        }
        Uploader u = uploader.orElseThrow(() -> new CommandException(ErrorCode.BUSY,
                "the report page was written but the file transfer is not running yet; ask again"));
        try {
            r.addProperty("transferId", u.upload(saved.file()));
        } catch (IOException e) {
            throw new CommandException(ErrorCode.BUSY, "the report page was written but cannot be sent now: "
                    + e.getMessage(), e);
        }
        return r;
    }
}
