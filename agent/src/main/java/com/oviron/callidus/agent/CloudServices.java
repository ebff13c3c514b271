package com.oviron.callidus.agent;

import com.google.gson.JsonObject;
import com.oviron.callidus.agent.commands.SupportBundle;
import com.oviron.callidus.agent.commands.UnitCommands;
import com.oviron.callidus.agent.media.DisplayCommands;
import com.oviron.callidus.agent.media.DisplayImageInstaller;
import com.oviron.callidus.agent.media.LogoBackup;
import com.oviron.callidus.agent.media.XrayCaptureFolder;
import com.oviron.callidus.agent.media.XrayReceiver;
import com.oviron.callidus.agent.media.XrayRecord;
import com.oviron.callidus.agent.media.XrayVault;
import com.oviron.callidus.agent.media.XrayVaultException;
import com.oviron.callidus.agent.settings.SettingsSync;
import com.oviron.callidus.cloud.GatedMqttConnection;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.command.CommandException;
import com.oviron.callidus.cloud.command.ErrorCode;
import com.oviron.callidus.cloud.files.FileKind;
import com.oviron.callidus.cloud.files.FileRejectedException;
import com.oviron.callidus.cloud.files.FileTransferException;
import com.oviron.callidus.cloud.files.FileTransfers;
import com.oviron.callidus.cloud.files.PathUploadSource;
import com.oviron.callidus.cloud.files.ReceivedFileHandler;
import com.oviron.callidus.cloud.files.UploadSource;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.folders.FolderGuard;
import com.oviron.callidus.store.StoreSpace;
import com.oviron.callidus.store.settings.SettingsVersions;
import com.oviron.callidus.store.settings.SqliteSettingsVersions;
import com.oviron.callidus.store.transfers.SqliteTransferStore;
import com.oviron.callidus.store.transfers.StoredTransfer;
import com.oviron.callidus.store.transfers.TransferDirection;
import com.oviron.callidus.store.transfers.TransferState;
import com.oviron.callidus.store.transfers.TransferStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * The cloud services besides telemetry, wired from the configuration: file transfers (both directions),
 * logo and screen saver, the X-ray vault with its viewer folder and capture folder, settings backup and
 * sync, and support bundles. Every one of them sees the connection through a {@link GatedMqttConnection}:
 * when the subscription does not cover cloud services they stop, and they resume when it does.
 *
 * <p>Threads: "file-transfer" (transfers, disk writes, hashing), "settings-sync" (the settings folder and its
 * backups), "xray-intake" (the capture folder), each a single thread.
 */
final class CloudServices implements AutoCloseable {
    /** Upload names of X-ray images start with the vault id: {@code <24 hex>-<original name>}. */
    private static final int VAULT_ID_LENGTH = 24;
    /** The folder of signed service records in the state folder (written by the access services). */
    static final String SERVICE_RECORDS = "service-records";

    private final AgentConfig config;
    private final GatedMqttConnection link;
    private final Clock clock;
    private final TransferStore transferStore;
    private final ScheduledExecutorService fileThread;
    private final FileTransfers files;
    private final Optional<DisplayImageInstaller> display;
    private final Optional<XrayVault> vault;
    private final Optional<XrayCaptureFolder> capture;
    private final Optional<SettingsSync> settings;
    private final Optional<SettingsVersions> settingsVersions;
    private final Optional<ScheduledExecutorService> settingsThread;
    private final SupportBundle bundles;
    private final Optional<LogoBackup> logoBackup;

    private CloudServices(AgentConfig config, GatedMqttConnection link, Clock clock, TransferStore transferStore,
                          ScheduledExecutorService fileThread, FileTransfers files,
                          Optional<DisplayImageInstaller> display, Optional<XrayVault> vault,
                          Optional<XrayCaptureFolder> capture, Optional<SettingsSync> settings,
                          Optional<SettingsVersions> settingsVersions, Optional<ScheduledExecutorService> settingsThread,
                          SupportBundle bundles, Optional<LogoBackup> logoBackup) {
        this.config = config;
        this.link = link;
        this.clock = clock;
        this.transferStore = transferStore;
        this.fileThread = fileThread;
        this.files = files;
        this.display = display;
        this.vault = vault;
        this.capture = capture;
        this.settings = settings;
        this.settingsVersions = settingsVersions;
        this.settingsThread = settingsThread;
        this.bundles = bundles;
        this.logoBackup = logoBackup;
    }

    /**
     * Builds every configured service and registers its commands; {@link #start()} before the connection
     * starts. The state databases ask {@code space} for room when they meet a full disk.
     */
    static CloudServices build(AgentConfig config, GatedMqttConnection link, Topics topics, CommandChannel commands,
                               UnitCommands unit, StoreSpace space, Clock clock, FolderGuard guard,
                               AgentThreads threads)
            throws StoreException, IOException {
        AgentConfig.Cloud c = config.cloud();
        Path state = Agent.stateFolder(config);
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            Optional<DisplayImageInstaller> display = Optional.empty();
            if (c.display().isPresent()) {
                display = Optional.of(new DisplayImageInstaller(c.display().get(), clock, guard));
                new DisplayCommands(display.get()).registerOn(commands);
            }
            Optional<XrayVault> vault = Optional.empty();
            if (c.xray().isPresent()) {
                try {
                    vault = Optional.of(new XrayVault(c.xray().get(), clock, guard));
                } catch (XrayVaultException e) {
                    throw new IOException("X-ray vault unusable: " + e.getMessage(), e);
                }
            }
            Map<FileKind, ReceivedFileHandler> receivers = new EnumMap<>(FileKind.class);
            Optional<LogoBackup> logoBackup = Optional.empty();
            if (display.isPresent()) {
                DisplayImageInstaller d = display.get();
                LogoBackup backup = new LogoBackup(d, state);
                logoBackup = Optional.of(backup);
                ReceivedFileHandler fromCloud = (kind, name, file) -> {
                    String sha;
                    try {
                        sha = LogoBackup.sha256(file);
                    } catch (IOException e) {
                        throw new FileRejectedException("the received image cannot be read: " + e.getMessage(), e);
                    }
                    d.accept(kind, name, file);
                    backup.installedFromCloud(kind, sha);
                };
                receivers.put(FileKind.LOGO, fromCloud);
                receivers.put(FileKind.SCREENSAVER, fromCloud);
            }
            vault.ifPresent(v -> receivers.put(FileKind.XRAY, new XrayReceiver(v)));
            Path updatesFolder = state.resolve("updates");
            if (c.update().isPresent()) {
                receivers.put(FileKind.UPDATE, (kind, name, file) -> keepPackage(updatesFolder, name, file));
            }

            TransferStore transferStore = SqliteTransferStore.open(state.resolve("transfers.db"), clock, space);
            opened.add(transferStore);
            ScheduledExecutorService fileThread = threads.single("file-transfer");
            Optional<XrayVault> vaultForUploads = vault;
            Path bundleFolder = state.resolve("bundles");
            Optional<LogoBackup> logos = logoBackup;
            FileTransfers files = new FileTransfers(link, topics, transferStore, c.files(), receivers,
                    (kind, name) -> DisplayImageInstaller.handles(kind) && logos.isPresent()
                            ? logos.get().reopen(kind, name) : reopen(kind, name, vaultForUploads, bundleFolder),
                    fileThread, clock, guard);
            files.registerCommands(commands);
            files.onUploadFinished(t -> {
                markDeliveredWhenConfirmed(t, vaultForUploads);
                FileKind.fromWire(t.kind()).filter(DisplayImageInstaller::handles).ifPresent(kind -> logos.ifPresent(
                        l -> l.uploadEnded(kind, t.name(), t.state() == TransferState.DONE)));
            });

            Optional<XrayCaptureFolder> capture = Optional.empty();
            if (c.xrayCapture().isPresent() && vault.isPresent()) {
                XrayVault v = vault.get();
                capture = Optional.of(new XrayCaptureFolder(c.xrayCapture().get(), v, clock,
                        r -> sendXray(files, v, r), guard));
            } else if (c.xrayCapture().isPresent()) {
                Logger.warn("xray.captureFolder is set but the X-ray vault is not configured: not watched");
            }

            Optional<SettingsVersions> versions = Optional.empty();
            Optional<ScheduledExecutorService> settingsThread = Optional.empty();
            Optional<SettingsSync> settings = Optional.empty();
            if (c.settings().isPresent()) {
                versions = Optional.of(SqliteSettingsVersions.open(state.resolve("settings.db"),
                        c.settings().get().maxVersions(), clock, space));
                opened.add(versions.get());
                settingsThread = Optional.of(threads.single("settings-sync"));
                settings = Optional.of(new SettingsSync(c.settings().get(), state, guard, versions.get(), link, topics,
                        settingsThread.get(), clock));
                settings.get().registerCommands(commands);
            }
            SupportBundle bundles = new SupportBundle(state, clock);
            CloudServices services = new CloudServices(config, link, clock, transferStore, fileThread, files, display,
                    vault, capture, settings, versions, settingsThread, bundles, logoBackup);
            commands.register("support.bundle", command -> services.supportBundle(command, unit));
            return services;
        } catch (StoreException | IOException | RuntimeException e) {
            for (AutoCloseable a : opened) {
                closeQuietly(a);
            }
            throw e;
        }
    }

    /** Starts the services; call before the connection starts so that the first connect subscribes. */
    void start(ScheduledExecutorService periodic) throws IOException {
        files.start();
        settings.ifPresent(SettingsSync::start);
        if (capture.isPresent()) {
            capture.get().start();
        }
        logoBackup.ifPresent(b -> periodic.scheduleWithFixedDelay(() -> {
            if (link.isConnected()) {
                b.scan(files::send);
            }
        }, 5, 10, TimeUnit.SECONDS));
        vault.ifPresent(v -> {
            sweep(v, clock);
            periodic.scheduleWithFixedDelay(() -> sweep(v, clock), 1, 1, TimeUnit.HOURS);
            periodic.scheduleWithFixedDelay(() -> sendPendingXrays(v), 30, 30, TimeUnit.SECONDS);
            link.addListener(new com.oviron.callidus.cloud.ConnectionListener() {
                @Override
                public void connected() {
                    periodic.execute(() -> sendPendingXrays(v));
                }

                @Override
                public void disconnected(String reason) {
                    // sent on the next connect
                }
            });
        });
        Logger.info("cloud services files=on receives={} display={} xray={} xrayCapture={} settings={}",
                config.cloud().files().maxDownloadBytes().keySet(), display.isPresent(), vault.isPresent(),
                capture.isPresent(), settings.map(s -> config.cloud().settings().get().folder().toString())
                        .orElse("off"));
    }

    /**
     * The file of a completed update package download ({@code update.install}); empty when the transfer is
     * unknown, not a finished download of kind update, or its file is gone.
     */
    Optional<Path> completedPackage(String transferId) {
        try {
            Optional<StoredTransfer> t = transferStore.find(transferId);
            if (t.isEmpty() || t.get().direction() != TransferDirection.DOWNLOAD
                    || t.get().state() != TransferState.DONE || !t.get().kind().equals(FileKind.UPDATE.wire())) {
                return Optional.empty();
            }
            Path file = Agent.stateFolder(config).resolve("updates").resolve(t.get().name());
            return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Optional.of(file) : Optional.empty();
        } catch (StoreException e) {
            Logger.warn("update package not looked up transfer={} error={}", transferId, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Keeps a downloaded update package (its hash already matched the offer) for {@code update.install}; the
     * package's own signature and contents are checked when it is installed. At most the newest two are kept.
     */
    private static void keepPackage(Path folder, String name, Path verifiedFile) throws FileRejectedException {
        try {
            Files.createDirectories(folder);
            Files.move(verifiedFile, folder.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            List<Path> kept;
            try (java.util.stream.Stream<Path> files = Files.list(folder)) {
                kept = files.sorted(java.util.Comparator.comparing(CloudServices::modified).reversed()).toList();
            }
            for (int i = 2; i < kept.size(); i++) {
                Files.deleteIfExists(kept.get(i));
            }
            Logger.info("update package received name={} (install with update.install)", name);
        } catch (IOException e) {
            throw new FileRejectedException("the update package could not be kept: " + e.getMessage(), e);
        }
    }

    private static java.nio.file.attribute.FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.fromMillis(0);
        }
    }

    /** Sends a report page (written by {@code report.get}) as an upload of kind report; returns its transfer id. */
    String sendReport(Path file) throws IOException {
        try {
            return files.send(FileKind.REPORT, file.getFileName().toString(), PathUploadSource.of(file));
        } catch (FileTransferException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * Sends a signed service record (issue 14) as an upload of kind {@code service_record}; it resumes after a
     * restart from {@code <store folder>/service-records/}.
     *
     * @return the transfer id
     */
    String sendServiceRecord(Path file) throws FileTransferException, IOException {
        return files.send(FileKind.SERVICE_RECORD, file.getFileName().toString(), PathUploadSource.of(file));
    }

    /** Tells the services that the subscription may have changed. */
    void recheckGate() {
        link.recheck();
    }

    private com.google.gson.JsonElement supportBundle(com.oviron.callidus.cloud.command.Command command,
                                                      UnitCommands unit) throws CommandException {
        command.arguments().allowOnly();
        SupportBundle.Bundle b;
        try {
            b = bundles.write(config.device().id(), unit.diagnosticsSnapshot(), config.toString());
        } catch (IOException e) {
            throw new CommandException(ErrorCode.FAILED, "the support bundle could not be written: " + e.getMessage(),
                    e);
        }
        String transferId;
        try {
            transferId = files.send(FileKind.SUPPORT_BUNDLE, b.file().getFileName().toString(),
                    PathUploadSource.of(b.file()));
        } catch (FileTransferException | IOException e) {
            throw new CommandException(ErrorCode.BUSY, "the support bundle was written but cannot be sent now: "
                    + e.getMessage(), e);
        }
        JsonObject r = new JsonObject();
        r.addProperty("name", b.file().getFileName().toString());
        r.addProperty("size", b.size());
        r.addProperty("sha256", b.sha256());
        r.addProperty("transferId", transferId);
        return r;
    }

    /** Sends a captured X-ray image; called on "xray-intake" (never the file-transfer thread). */
    private static void sendXray(FileTransfers files, XrayVault vault, XrayRecord r) {
        String name = uploadName(r);
        try {
            String id = files.send(FileKind.XRAY, name, vault.uploadSource(r.id()));
            Logger.info("xray upload started image={} transfer={}", r.id(), id);
        } catch (FileTransferException | XrayVaultException e) {
            Logger.warn("xray upload not started now, retried every 30 s and on reconnect image={} reason={}", r.id(),
                    e.getMessage());
        }
    }

    /** Images captured but never sent (the link or the subscription was down, or the queue full). */
    private void sendPendingXrays(XrayVault v) {
        if (!link.isConnected()) {
            return;
        }
        try {
            List<String> moving = new ArrayList<>();
            for (StoredTransfer t : transferStore.active()) {
                if (t.direction() == TransferDirection.UPLOAD) {
                    moving.add(t.name());
                }
            }
            for (XrayRecord r : v.list()) {
                if (r.direction() == XrayRecord.Direction.OUT && r.deliveredAt().isEmpty()
                        && !moving.contains(uploadName(r))) {
                    sendXray(files, v, r);
                }
            }
        } catch (StoreException | RuntimeException e) {
            Logger.warn("pending xray uploads not checked error={}", e.getMessage());
        }
    }

    /**
     * {@code <vault id>-<original name>}, the name made safe for the transfer's name check: characters other
     * than letters, digits, '.', '_' and '-' become '_', and so do runs of dots (an image from the sensor
     * software must never be stuck because of its name).
     */
    static String uploadName(XrayRecord r) {
        String safe = r.name().replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("\\.{2,}", "_");
        String name = r.id() + "-" + safe;
        return name.length() <= 100 ? name : name.substring(0, 100);
    }

    /** Finds an upload's content again after a restart. */
    private static Optional<UploadSource> reopen(FileKind kind, String name, Optional<XrayVault> vault,
                                                 Path bundleFolder) {
        try {
            if (kind == FileKind.XRAY && vault.isPresent() && name.length() > VAULT_ID_LENGTH
                    && XrayRecord.ID.matcher(name.substring(0, VAULT_ID_LENGTH)).matches()) {
                return Optional.of(vault.get().uploadSource(name.substring(0, VAULT_ID_LENGTH)));
            }
            if (kind == FileKind.SUPPORT_BUNDLE || kind == FileKind.REPORT || kind == FileKind.SERVICE_RECORD) {
                Path folder = kind == FileKind.SUPPORT_BUNDLE ? bundleFolder
                        : kind == FileKind.REPORT ? bundleFolder.resolveSibling("reports")
                        : bundleFolder.resolveSibling(SERVICE_RECORDS);
                Path file = folder.resolve(name).normalize();
                if (file.startsWith(folder) && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    return Optional.of(PathUploadSource.of(file));
                }
            }
        } catch (XrayVaultException | IOException e) {
            Logger.warn("upload source not found again kind={} name={} error={}", kind.wire(), name, e.getMessage());
        }
        return Optional.empty();
    }

    private static void markDeliveredWhenConfirmed(StoredTransfer t, Optional<XrayVault> vault) {
        if (t.state() != TransferState.DONE || !t.kind().equals(FileKind.XRAY.wire()) || vault.isEmpty()
                || t.name().length() <= VAULT_ID_LENGTH) {
            return;
        }
        String id = t.name().substring(0, VAULT_ID_LENGTH);
        try {
            vault.get().markDelivered(id);
        } catch (XrayVaultException e) {
            Logger.warn("xray image not marked delivered image={} error={}", id, e.getMessage());
        }
    }

    private static void sweep(XrayVault v, Clock clock) {
        try {
            List<XrayRecord> gone = v.sweep(clock.instant());
            if (!gone.isEmpty()) {
                Logger.info("xray retention deleted images={}", gone.size());
            }
        } catch (RuntimeException e) {
            Logger.error(e, "xray retention sweep failed");
        }
    }

    @Override
    public void close() {
        capture.ifPresent(XrayCaptureFolder::close);
        settings.ifPresent(SettingsSync::close);
        settingsThread.ifPresent(ScheduledExecutorService::shutdownNow);
        files.close();
        fileThread.shutdownNow();
        try {
            fileThread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        settingsVersions.ifPresent(CloudServices::closeQuietly);
        closeQuietly(transferStore);
    }

    private static void closeQuietly(AutoCloseable a) {
        try {
            a.close();
        } catch (Exception e) {
            Logger.warn("closing failed error={}", e.getMessage());
        }
    }
}
