package com.oviron.callidus.cloud.files;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.ConnectionListener;
import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.command.Command;
import com.oviron.callidus.cloud.command.CommandArgs;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.command.CommandException;
import com.oviron.callidus.cloud.command.ErrorCode;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.folders.ConfinedFolder;
import com.oviron.callidus.store.folders.FolderGuard;
import com.oviron.callidus.store.transfers.StoredTransfer;
import com.oviron.callidus.store.transfers.TransferStore;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.tinylog.Logger;

/**
 * Chunked file transfer over MQTT in both directions (docs/protocol.md): downloads offered by the cloud
 * with {@code file.offer}, uploads started by {@link #send}; both resume after a disconnect or a reboot with
 * only the chunks still missing, check the whole file's SHA-256, keep to a deadline, a size quota, a
 * concurrency limit and a publish rate, and report progress on {@link FileTopics#progress()}.
 *
 * <p>Commands (register them with {@link #registerCommands}): {@code file.offer}, {@code file.received},
 * {@code file.cancel}, {@code file.list}.
 *
 * <p>Threads: every change happens on {@code executor} (one thread, "file-transfer" in the agent): MQTT
 * callbacks only post to it, command handlers hand their work to it and wait for the answer. Part files are
 * written there, never on the connection's thread. Memory is bounded: one chunk at a time is read or
 * written, and chunks waiting for the thread are capped at {@link FileTransferSettings#maxQueuedBytes()}.
 */
public final class FileTransfers implements AutoCloseable {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final long COMMAND_WAIT_SECONDS = 30;

    private final MqttConnection link;
    private final FileTopics topics;
    private final TransferStore store;
    private final FileTransferSettings settings;
    private final Map<FileKind, ReceivedFileHandler> receivers;
    private final UploadSources uploadSources;
    private final ScheduledExecutorService executor;
    private final Clock clock;
    private final DownloadReceiver downloads;
    private final UploadSender uploads;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong droppedChunks = new AtomicLong();
    private ScheduledFuture<?> ticker;
    private long ticks;

    /**
     * @param receivers     who takes a downloaded file, per kind; a kind without a receiver (or without a
     *                      quota in {@code settings}) is refused in {@code file.offer}
     * @param uploadSources finds an upload's content again after a restart
     * @param executor      a single thread ("file-transfer") that this object's work runs on
     */
    public FileTransfers(MqttConnection link, Topics topics, TransferStore store, FileTransferSettings settings,
                         Map<FileKind, ReceivedFileHandler> receivers, UploadSources uploadSources,
                         ScheduledExecutorService executor, Clock clock) {
        this(link, topics, store, settings, receivers, uploadSources, executor, clock, FolderGuard.logOnly());
    }

    /**
     * @param guard reports (once) and alarms an entry of the transfer folder that is refused, e.g. a link
     *              planted in place of a part file
     */
    public FileTransfers(MqttConnection link, Topics topics, TransferStore store, FileTransferSettings settings,
                         Map<FileKind, ReceivedFileHandler> receivers, UploadSources uploadSources,
                         ScheduledExecutorService executor, Clock clock, FolderGuard guard) {
        this.link = link;
        this.topics = new FileTopics(topics);
        this.store = store;
        this.settings = settings;
        this.receivers = Map.copyOf(receivers);
        this.uploadSources = uploadSources;
        this.executor = executor;
        this.clock = clock;
        ProgressReporter progress = new ProgressReporter(link, this.topics, clock, settings.progressInterval());
        this.downloads = new DownloadReceiver(link, this.topics, store, settings,
                ConfinedFolder.of(settings.partDir(), "transfer", guard), this.receivers, progress, clock);
        this.uploads = new UploadSender(link, this.topics, store, settings, progress, executor, clock);
    }

    /**
     * Tells {@code listener} of each upload that ended (state DONE once the cloud confirmed it, or FAILED or
     * CANCELLED), on the transfer thread: it must return at once. The X-ray vault uses it to mark an image
     * delivered.
     */
    public void onUploadFinished(java.util.function.Consumer<com.oviron.callidus.store.transfers.StoredTransfer> listener) {
        uploads.onFinished(listener);
    }

    /** Registers {@code file.offer}, {@code file.received}, {@code file.cancel} and {@code file.list}. */
    public void registerCommands(CommandChannel channel) {
        channel.register("file.offer", this::offer);
        channel.register("file.received", this::received);
        channel.register("file.cancel", this::cancel);
        channel.register("file.list", this::list);
    }

    /**
     * Resumes the transfers a restart interrupted and subscribes to chunks; call before the connection
     * starts so that the first connect already subscribes.
     */
    public void start() {
        post(() -> {
            try {
                int pruned = store.prune(settings.keepFinished());
                List<StoredTransfer> active = store.active();
                Logger.info("file transfers resumed active={} pruned={}", active.size(), pruned);
                downloads.restore(active);
                uploads.restore(active, uploadSources);
            } catch (StoreException e) {
                Logger.error("file transfers not resumed: store unavailable error={}", e.getMessage());
            }
        });
        link.subscribe(topics.chunk(), 1, this::chunkArrived);
        link.addListener(new ConnectionListener() {
            @Override
            public void connected() {
                post(() -> {
                    downloads.connected();
                    uploads.connected();
                });
            }

            @Override
            public void disconnected(String reason) {
                post(uploads::disconnected);
            }
        });
        ticker = executor.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Starts sending a file to the cloud; returns its transfer id. The upload is kept and goes on after a
     * reconnect or a restart (its source is found again through {@link UploadSources}). Do not call on the
     * transfer thread.
     *
     * @throws FileTransferException if the name is not a safe plain name, the file is empty or larger than
     *     {@link FileTransferSettings#maxUploadBytes()}, too many uploads wait, or the store fails
     */
    public String send(FileKind kind, String name, UploadSource source) throws FileTransferException {
        try {
            return executor.submit(() -> uploads.send(kind, name, source)).get(COMMAND_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FileTransferException("interrupted while starting the upload", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FileTransferException f) {
                throw f;
            }
            throw new FileTransferException("upload not started: " + e.getCause(), e.getCause());
        } catch (TimeoutException | RejectedExecutionException e) {
            throw new FileTransferException("the transfer thread is not answering: " + e, e);
        }
    }

    /** Chunk frames dropped because the transfer thread was behind (they are asked for again). */
    public long droppedChunks() {
        return droppedChunks.get();
    }

    /** Where a download's part file is while it arrives (for tests and service). */
    public java.nio.file.Path partFile(String transferId) {
        return downloads.partFile(transferId);
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.cancel(false);
        }
        try {
            executor.submit(downloads::close).get(COMMAND_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            Logger.warn("file transfers not closed cleanly error={}", e.toString());
        }
    }

    /** Runs on the connection's thread: count the bytes, hand over, return. */
    private void chunkArrived(String topic, byte[] payload) {
        long queued = queuedBytes.addAndGet(payload.length);
        if (queued > settings.maxQueuedBytes()) {
            queuedBytes.addAndGet(-payload.length);
            long dropped = droppedChunks.incrementAndGet();
            if (dropped == 1 || dropped % 100 == 0) {
                Logger.warn("download chunk dropped: transfer thread behind queuedBytes={} dropped={}", queued,
                        dropped);
            }
            return;
        }
        if (!post(() -> {
            queuedBytes.addAndGet(-payload.length);
            downloads.chunk(payload);
        })) {
            queuedBytes.addAndGet(-payload.length);
        }
    }

    private void tick() {
        try {
            downloads.tick();
            uploads.tick();
            if (++ticks % 3600 == 0) {
                store.prune(settings.keepFinished());
            }
        } catch (StoreException e) {
            Logger.warn("finished transfers not pruned error={}", e.getMessage());
        } catch (RuntimeException e) {
            Logger.error(e, "file transfer tick failed");
        }
    }

    private boolean post(Runnable work) {
        try {
            executor.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    Logger.error(e, "file transfer work failed");
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            Logger.debug("file transfer work dropped: executor stopped");
            return false;
        }
    }

    // ---- commands: arguments are checked here, on the command thread; the change happens on ours ----

    private JsonElement offer(Command command) throws CommandException {
        CommandArgs args = command.arguments().allowOnly("transferId", "kind", "name", "size", "sha256", "chunkSize",
                "deadline");
        String id = args.string("transferId", ChunkFrame.TRANSFER_ID, 64);
        String kindName = args.string("kind");
        FileKind kind = FileKind.fromWire(kindName).orElseThrow(() -> CommandException.invalidArgument("kind",
                "unknown kind '" + kindName + "'"));
        Long quota = settings.maxDownloadBytes().get(kind);
        if (quota == null || !receivers.containsKey(kind)) {
            throw CommandException.invalidArgument("kind", "this unit does not receive " + kind.wire() + " files");
        }
        String name = args.string("name");
        Optional<String> problem = SafeFileName.problem(name);
        if (problem.isPresent()) {
            throw CommandException.invalidArgument("name", problem.get());
        }
        long size = args.integer("size", 1, quota);
        String shaHex = args.string("sha256");
        if (!SHA256_HEX.matcher(shaHex).matches()) {
            throw CommandException.invalidArgument("sha256", "must be 64 hexadecimal digits");
        }
        int chunkSize = args.optionalInteger("chunkSize", FileTransferSettings.MIN_CHUNK_SIZE,
                settings.maxChunkSize()).orElse((long) settings.defaultChunkSize()).intValue();
        long now = clock.millis();
        long deadline = args.integer("deadline", Long.MIN_VALUE, Long.MAX_VALUE);
        if (deadline <= now) {
            throw CommandException.invalidArgument("deadline", "has passed (" + deadline + " <= now " + now + ")");
        }
        if (deadline > now + settings.maxDeadline().toMillis()) {
            throw CommandException.invalidArgument("deadline", "is more than " + settings.maxDeadline().toHours()
                    + " hours away");
        }
        DownloadOffer o = new DownloadOffer(id, kind, name, size, HexFormat.of().parseHex(shaHex), chunkSize,
                deadline);
        return onTransferThread(() -> downloads.offer(o));
    }

    private JsonElement received(Command command) throws CommandException {
        CommandArgs args = command.arguments().allowOnly("transferId", "ok", "missing", "reason");
        String id = args.string("transferId", ChunkFrame.TRANSFER_ID, 64);
        boolean ok = args.optionalBoolean("ok").orElseThrow(() -> CommandException.invalidArgument("ok",
                "required"));
        JsonElement missingJson = command.args().get("missing");
        String reason = args.optionalString("reason").orElse("");
        if (reason.length() > 200) {
            throw CommandException.invalidArgument("reason", "at most 200 characters");
        }
        if (ok && args.has("missing")) {
            throw CommandException.invalidArgument("missing", "not allowed with ok=true");
        }
        if (!ok && !args.has("missing") && reason.isEmpty()) {
            throw CommandException.invalidArgument("missing", "required with ok=false (or a reason to give up)");
        }
        return onTransferThread(() -> {
            StoredTransfer t = known(id);
            if (t.direction() != com.oviron.callidus.store.transfers.TransferDirection.UPLOAD) {
                throw CommandException.invalidArgument("transferId", "is a download, not an upload");
            }
            List<Integer> missing;
            try {
                missing = args.has("missing") ? ChunkList.parse(missingJson, t.chunkCount()) : List.of();
            } catch (IllegalArgumentException e) {
                throw CommandException.invalidArgument("missing", e.getMessage());
            }
            if (!ok && missing.isEmpty() && reason.isEmpty()) {
                throw CommandException.invalidArgument("missing", "must not be empty with ok=false");
            }
            return uploads.received(id, ok, missing, reason).orElseGet(() -> ProgressReporter.describe(t));
        });
    }

    private JsonElement cancel(Command command) throws CommandException {
        CommandArgs args = command.arguments().allowOnly("transferId", "reason");
        String id = args.string("transferId", ChunkFrame.TRANSFER_ID, 64);
        String reason = args.optionalString("reason").orElse("cancelled by the cloud");
        if (reason.length() > 200) {
            throw CommandException.invalidArgument("reason", "at most 200 characters");
        }
        return onTransferThread(() -> {
            StoredTransfer t = known(id);
            return downloads.cancel(id, reason).or(() -> uploads.cancel(id, reason))
                    .orElseGet(() -> ProgressReporter.describe(t));
        });
    }

    private JsonElement list(Command command) throws CommandException {
        command.arguments().allowOnly();
        return onTransferThread(() -> {
            JsonArray items = new JsonArray();
            try {
                store.recent(Math.max(settings.keepFinished(), 1) + 2 * settings.maxConcurrent()
                        + settings.maxQueuedUploads()).forEach(t -> items.add(ProgressReporter.describe(t)));
            } catch (StoreException e) {
                throw new CommandException(ErrorCode.FAILED, "the unit's transfer store is unavailable: "
                        + e.getMessage());
            }
            JsonObject result = new JsonObject();
            result.add("transfers", items);
            result.addProperty("downloadsRunning", downloads.running());
            result.addProperty("uploadsRunning", uploads.running());
            return result;
        });
    }

    private StoredTransfer known(String id) throws CommandException {
        try {
            return store.find(id).orElseThrow(() -> CommandException.invalidArgument("transferId",
                    "no transfer " + id + " on this unit"));
        } catch (StoreException e) {
            throw new CommandException(ErrorCode.FAILED, "the unit's transfer store is unavailable: " + e.getMessage());
        }
    }

    private JsonElement onTransferThread(Callable<JsonElement> work) throws CommandException {
        try {
            return executor.submit(work).get(COMMAND_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException(ErrorCode.FAILED, "interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CommandException c) {
                throw c;
            }
            Logger.error(e.getCause(), "file command failed");
            throw new CommandException(ErrorCode.FAILED, "internal error: " + e.getCause());
        } catch (TimeoutException | RejectedExecutionException e) {
            throw new CommandException(ErrorCode.BUSY, "the transfer thread is not answering; retry later");
        }
    }
}
