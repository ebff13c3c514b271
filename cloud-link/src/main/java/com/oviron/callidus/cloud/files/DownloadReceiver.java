package com.oviron.callidus.cloud.files;

import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.cloud.command.CommandException;
import com.oviron.callidus.cloud.command.ErrorCode;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.folders.ConfinedFolder;
import com.oviron.callidus.store.transfers.StoredTransfer;
import com.oviron.callidus.store.transfers.TransferDirection;
import com.oviron.callidus.store.transfers.TransferState;
import com.oviron.callidus.store.transfers.TransferStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.tinylog.Logger;

/**
 * The unit's side of downloads (cloud to unit): takes offers, asks for chunks in a bounded window, writes
 * each chunk by offset into a part file, checks the whole file's SHA-256 and hands it to the receiver of its
 * kind. Everything runs on the transfer thread.
 *
 * <p>Crash safety, one fsync per window (ADR 0027): chunks written since the last sync are <em>unsynced</em>.
 * Once a window's worth of them ({@code window} chunks) has been written, at every tick (once a second), before
 * the hash check and on close, the part file is forced to disk and only then are those chunks booked done in the
 * store, in one transaction. So the store never counts a chunk the disk does not hold; a crash loses at most the
 * unsynced chunks, which a restarted unit asks for again like any other missing chunk.
 *
 * <p>Part files ({@code <transferId>.part}) are used through a {@link ConfinedFolder}: created exclusively
 * (whatever had the name before, a link included, is removed first), reopened after a restart only if they
 * are still plain files with one hard link, hashed from the open file, and deleted as entries: a link planted
 * in the transfer folder is never written through, read or followed.
 */
final class DownloadReceiver {
    private static final HexFormat HEX = HexFormat.of();

    private final class Active {
        StoredTransfer transfer;
        final FileChannel part;
        final TreeSet<Integer> requested = new TreeSet<>();
        /** Written to the part file, counted in {@code transfer}, not yet forced to disk nor booked in the store. */
        final List<Integer> unsynced = new ArrayList<>();
        long lastActivityMillis;
        long duplicates;
        long dropped;

        Active(StoredTransfer transfer, FileChannel part) {
            this.transfer = transfer;
            this.part = part;
            this.lastActivityMillis = clock.millis();
        }
    }

    private final MqttConnection link;
    private final FileTopics topics;
    private final TransferStore store;
    private final FileTransferSettings settings;
    private final ConfinedFolder parts;
    private final Map<FileKind, ReceivedFileHandler> receivers;
    private final ProgressReporter progress;
    private final Clock clock;
    private final Map<String, Active> active = new LinkedHashMap<>();

    DownloadReceiver(MqttConnection link, FileTopics topics, TransferStore store, FileTransferSettings settings,
                     ConfinedFolder parts, Map<FileKind, ReceivedFileHandler> receivers, ProgressReporter progress,
                     Clock clock) {
        this.link = link;
        this.topics = topics;
        this.store = store;
        this.settings = settings;
        this.parts = parts;
        this.receivers = Map.copyOf(receivers);
        this.progress = progress;
        this.clock = clock;
    }

    /** Picks up the downloads a restart interrupted; they go on with the chunks they miss. */
    void restore(List<StoredTransfer> stored) {
        for (StoredTransfer t : stored) {
            if (t.direction() != TransferDirection.DOWNLOAD) {
                continue;
            }
            String name = partName(t.id());
            try {
                boolean exists = parts.entry(name).isPresent();
                if (!exists && t.chunksDone() > 0) {
                    // the part file is gone: nothing that was counted is there any more
                    List<Integer> all = new ArrayList<>();
                    t.done().stream().forEach(all::add);
                    store.markMissing(t.id(), all);
                    t = store.find(t.id()).orElseThrow();
                    Logger.warn("download part file missing after restart, starting over transfer={}", t.id());
                }
                FileChannel ch = exists ? parts.openToUpdate(name, Long.MAX_VALUE).channel() : parts.createNew(name);
                if (ch.size() > t.size()) {
                    ch.truncate(t.size());
                }
                active.put(t.id(), new Active(t, ch));
                Logger.info("download resumed after restart transfer={} kind={} chunksDone={} chunks={}", t.id(),
                        t.kind(), t.chunksDone(), t.chunkCount());
            } catch (IOException | StoreException e) {
                fail(t, null, "cannot resume after restart: " + e.getMessage());
            }
        }
    }

    /** Validated offer → a new download, or the state of the one with that id. */
    JsonObject offer(DownloadOffer o) throws CommandException {
        Optional<StoredTransfer> existing = find(o.transferId());
        if (existing.isPresent()) {
            StoredTransfer t = existing.get();
            if (t.direction() != TransferDirection.DOWNLOAD || !o.sameFileAs(t)) {
                throw CommandException.invalidArgument("transferId", "already used for a different transfer");
            }
            Logger.info("download offered again transfer={} state={}", t.id(), t.state().wire());
            Active a = active.get(t.id());
            if (a != null) {
                a.requested.clear();
                requestMore(a);
                return ProgressReporter.describe(a.transfer); // with the chunks not yet booked in the store
            }
            return ProgressReporter.describe(t);
        }
        if (active.size() >= settings.maxConcurrent()) {
            throw new CommandException(ErrorCode.BUSY, active.size() + " downloads are running (at most "
                    + settings.maxConcurrent() + "); offer again when one has ended");
        }
        long reserved = active.values().stream().mapToLong(a -> a.transfer.size() - a.transfer.bytesDone()).sum();
        long free;
        try {
            free = Files.getFileStore(parts.create()).getUsableSpace();
        } catch (IOException e) {
            throw new CommandException(ErrorCode.FAILED, "the unit's transfer folder is unusable: " + e.getMessage());
        }
        if (free - reserved - o.size() < settings.minFreeBytes()) {
            throw new CommandException(ErrorCode.FAILED, "not enough free space on the unit: " + free
                    + " bytes free, " + reserved + " reserved by running downloads, " + o.size() + " offered, "
                    + settings.minFreeBytes() + " must stay free");
        }
        long now = clock.millis();
        StoredTransfer t = new StoredTransfer(o.transferId(), TransferDirection.DOWNLOAD, o.kind().wire(), o.name(),
                o.size(), o.sha256(), o.chunkSize(), o.deadlineMillis(), TransferState.ACTIVE, "", new BitSet(),
                now, now);
        String name = partName(t.id());
        FileChannel ch;
        try {
            // whatever has the name (a part file of a failed try, or a planted link) goes: never written through
            Optional<ConfinedFolder.Entry> stale = parts.entry(name);
            if (stale.isPresent() && stale.get().type() != ConfinedFolder.Type.FILE) {
                parts.refuse(name, "was " + stale.get().type().describe() + " in place of a new part file; removed,"
                        + " never written through");
            }
            parts.delete(name);
            ch = parts.createNew(name);
            parts.sync("");
        } catch (IOException e) {
            throw new CommandException(ErrorCode.FAILED, "cannot create the part file: " + e.getMessage());
        }
        try {
            if (!store.create(t)) {
                throw new IllegalStateException("transfer " + t.id() + " appeared meanwhile");
            }
        } catch (StoreException e) {
            closeQuietly(ch);
            deleteQuietly(name);
            throw new CommandException(ErrorCode.FAILED, "the unit's transfer store is unavailable: "
                    + e.getMessage());
        }
        Active a = new Active(t, ch);
        active.put(t.id(), a);
        Logger.info("download started transfer={} kind={} name={} size={} chunkSize={} chunks={} deadline={}",
                t.id(), t.kind(), t.name(), t.size(), t.chunkSize(), t.chunkCount(), t.deadlineMillis());
        progress.report(t, true);
        requestMore(a);
        return ProgressReporter.describe(t);
    }

    /** A chunk frame arrived (already off the connection's thread). */
    void chunk(byte[] payload) {
        ChunkFrame frame;
        try {
            frame = ChunkFrame.decode(payload);
        } catch (ChunkFrame.MalformedChunkException e) {
            Logger.warn("download chunk dropped reason={} bytes={}", e.getMessage(), payload.length);
            return;
        }
        Active a = active.get(frame.transferId());
        if (a == null) {
            Logger.warn("download chunk dropped: no such running download transfer={} offset={}",
                    frame.transferId(), frame.offset());
            return;
        }
        StoredTransfer t = a.transfer;
        if (frame.offset() % t.chunkSize() != 0 || frame.offset() / t.chunkSize() >= t.chunkCount()) {
            a.dropped++;
            Logger.warn("download chunk dropped: offset outside the declared layout transfer={} offset={}"
                    + " chunkSize={} size={}", t.id(), frame.offset(), t.chunkSize(), t.size());
            return;
        }
        int index = (int) (frame.offset() / t.chunkSize());
        if (frame.length() != t.chunkLength(index)) {
            a.dropped++;
            Logger.warn("download chunk dropped: wrong length transfer={} chunk={} length={} expected={}", t.id(),
                    index, frame.length(), t.chunkLength(index));
            return;
        }
        a.requested.remove(index);
        a.lastActivityMillis = clock.millis();
        if (t.isDone(index)) {
            a.duplicates++;
            Logger.debug("download chunk again, ignored transfer={} chunk={}", t.id(), index);
            requestMore(a);
            return;
        }
        try {
            ByteBuffer data = ByteBuffer.wrap(frame.data());
            long position = frame.offset();
            while (data.hasRemaining()) {
                position += a.part.write(data, position);
            }
        } catch (IOException e) {
            fail(t, a, "cannot write the part file: " + e.getMessage());
            return;
        }
        a.unsynced.add(index);
        BitSet done = t.done();
        done.set(index);
        a.transfer = t.withDone(done, clock.millis());
        if (a.transfer.allChunksDone()) {
            if (sync(a)) {
                complete(a);
            }
            return;
        }
        // ask for more before forcing the file: the cloud sends the next chunks while the disk works
        progress.report(a.transfer, false);
        requestMore(a);
        if (a.unsynced.size() >= settings.window()) {
            sync(a);
        }
    }

    /**
     * Forces the part file to disk, then books the chunks written since the last sync as done in the store: in
     * that order, so that a crash between the two only loses chunks, never counts one the disk does not have.
     * Returns false when the download failed on it.
     */
    private boolean sync(Active a) {
        if (a.unsynced.isEmpty()) {
            return true;
        }
        try {
            a.part.force(false);
            store.markDone(a.transfer.id(), a.unsynced);
            a.unsynced.clear();
            return true;
        } catch (IOException | StoreException e) {
            fail(a.transfer, a, "cannot write the part file: " + e.getMessage());
            return false;
        }
    }

    /** Once a second: the chunks written since the last sync to disk, deadlines, asking again when chunks stopped. */
    void tick() {
        long now = clock.millis();
        for (Active a : List.copyOf(active.values())) {
            if (!sync(a)) {
                continue;
            }
            if (now > a.transfer.deadlineMillis()) {
                fail(a.transfer, a, "deadline passed with " + a.transfer.chunksDone() + " of "
                        + a.transfer.chunkCount() + " chunks");
            } else if (now - a.lastActivityMillis >= settings.requestTimeout().toMillis()) {
                Logger.info("download stalled, asking again transfer={} requested={} chunksDone={}",
                        a.transfer.id(), a.requested.size(), a.transfer.chunksDone());
                a.requested.clear();
                a.lastActivityMillis = now;
                requestMore(a);
            }
        }
    }

    /** The link came up: what was asked before may be lost; ask again. */
    void connected() {
        for (Active a : active.values()) {
            a.requested.clear();
            a.lastActivityMillis = clock.millis();
            requestMore(a);
        }
    }

    Optional<JsonObject> cancel(String id, String reason) {
        Active a = active.get(id);
        if (a == null) {
            return Optional.empty();
        }
        end(a, TransferState.CANCELLED, reason);
        return Optional.of(ProgressReporter.describe(a.transfer));
    }

    int running() {
        return active.size();
    }

    void close() {
        List.copyOf(active.values()).forEach(this::sync);
        active.values().forEach(a -> closeQuietly(a.part));
        active.clear();
    }

    Path partFile(String transferId) {
        return parts.pathOf(partName(transferId));
    }

    private static String partName(String transferId) {
        return transferId + ".part";
    }

    private void requestMore(Active a) {
        // ask in batches of half a window, so that a need message goes out for every few chunks, not each one
        int free = settings.window() - a.requested.size();
        if (free < Math.max(1, settings.window() / 2) && !a.requested.isEmpty()) {
            return;
        }
        List<Integer> ask = new ArrayList<>();
        BitSet done = a.transfer.done();
        for (int i = done.nextClearBit(0); i < a.transfer.chunkCount() && ask.size() < free;
             i = done.nextClearBit(i + 1)) {
            if (!a.requested.contains(i)) {
                ask.add(i);
            }
        }
        if (ask.isEmpty() || !link.isConnected()) {
            return;
        }
        a.requested.addAll(ask);
        JsonObject need = new JsonObject();
        need.addProperty("v", 1);
        need.addProperty("transferId", a.transfer.id());
        need.add("chunks", ChunkList.toJson(ask));
        link.publish(topics.need(), need.toString().getBytes(StandardCharsets.UTF_8), 1, false)
                .whenComplete((ok, e) -> {
                    if (e != null) {
                        // asked again on reconnect or after the request timeout
                        Logger.debug("chunk request not published transfer={} error={}", a.transfer.id(),
                                e.getMessage());
                    }
                });
    }

    private void complete(Active a) {
        StoredTransfer t = a.transfer;
        Path file = partFile(t.id());
        try {
            // hashed from the file as it was written, not reopened by name
            long size = a.part.size();
            byte[] actual = sha256(a.part);
            closeQuietly(a.part);
            if (size != t.size() || !MessageDigest.isEqual(actual, t.sha256())) {
                end(a, TransferState.FAILED, "sha256 mismatch: declared " + HEX.formatHex(t.sha256()) + ", received "
                        + HEX.formatHex(actual) + " (" + size + " bytes)");
                return;
            }
        } catch (IOException e) {
            closeQuietly(a.part);
            end(a, TransferState.FAILED, "cannot read the part file back: " + e.getMessage());
            return;
        }
        FileKind kind = FileKind.fromWire(t.kind()).orElseThrow();
        ReceivedFileHandler receiver = receivers.get(kind);
        try {
            receiver.accept(kind, t.name(), file);
            end(a, TransferState.DONE, "");
        } catch (FileRejectedException e) {
            end(a, TransferState.REJECTED, e.getMessage());
        } catch (RuntimeException e) {
            Logger.error(e, "file receiver failed transfer={} kind={}", t.id(), t.kind());
            end(a, TransferState.FAILED, "the unit's receiver failed: " + e);
        }
    }

    private void fail(StoredTransfer t, Active a, String reason) {
        if (a != null) {
            end(a, TransferState.FAILED, reason);
            return;
        }
        try {
            store.finish(t.id(), TransferState.FAILED, reason, clock.millis());
        } catch (StoreException e) {
            Logger.error("download end not stored transfer={} error={}", t.id(), e.getMessage());
        }
        deleteQuietly(partName(t.id()));
        Logger.warn("download ended transfer={} state=failed reason={}", t.id(), reason);
        progress.report(t.withState(TransferState.FAILED, reason, clock.millis()), true);
    }

    private void end(Active a, TransferState state, String reason) {
        StoredTransfer t = a.transfer;
        active.remove(t.id());
        closeQuietly(a.part);
        deleteQuietly(partName(t.id()));
        try {
            store.finish(t.id(), state, reason, clock.millis());
        } catch (StoreException e) {
            Logger.error("download end not stored transfer={} error={}", t.id(), e.getMessage());
        }
        a.transfer = t.withState(state, reason, clock.millis());
        if (state == TransferState.DONE) {
            Logger.info("download done transfer={} kind={} name={} size={} duplicates={} dropped={}", t.id(),
                    t.kind(), t.name(), t.size(), a.duplicates, a.dropped);
        } else {
            Logger.warn("download ended transfer={} kind={} state={} reason={} chunksDone={} chunks={}", t.id(),
                    t.kind(), state.wire(), reason, t.chunksDone(), t.chunkCount());
        }
        progress.report(a.transfer, true);
    }

    private Optional<StoredTransfer> find(String id) throws CommandException {
        try {
            return store.find(id);
        } catch (StoreException e) {
            throw new CommandException(ErrorCode.FAILED, "the unit's transfer store is unavailable: "
                    + e.getMessage());
        }
    }

    /** The SHA-256 of the whole file, read by position (the channel's own position is left alone). */
    static byte[] sha256(FileChannel file) throws IOException {
        MessageDigest digest = PathUploadSource.sha256Digest();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long position = 0;
        int n;
        while ((n = file.read(buffer.clear(), position)) >= 0) {
            digest.update(buffer.array(), 0, n);
            position += n;
        }
        return digest.digest();
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            Logger.debug("part file close failed error={}", e.getMessage());
        }
    }

    private void deleteQuietly(String name) {
        try {
            parts.delete(name);
        } catch (IOException e) {
            Logger.warn("part file not deleted file={} error={}", name, e.getMessage());
        }
    }
}
