package com.oviron.callidus.cloud.files;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * How file transfers behave (config keys in docs/configuration.md, "files").
 *
 * @param partDir            where downloads are written while they arrive ({@code <transferId>.part}); the
 *                           same file system as the receivers' targets keeps their final move atomic
 * @param maxDownloadBytes   per kind: the largest file the unit accepts; a kind not listed is not received
 * @param maxUploadBytes     the largest file the unit sends
 * @param minFreeBytes       a download is refused if it would leave less than this free in {@code partDir}
 * @param defaultChunkSize   chunk size for uploads and for offers that name none
 * @param maxChunkSize       the largest chunk size an offer may ask for (at most {@link ChunkFrame#MAX_DATA})
 * @param maxConcurrent      transfers moving at once per direction; a further offer is answered {@code busy},
 *                           a further upload waits its turn
 * @param maxQueuedUploads   uploads kept waiting at most; {@code send} refuses more
 * @param window             chunks requested and not yet arrived (download), or published and not yet
 *                           acknowledged (upload), per direction
 * @param chunksPerSecond    upload chunk publishes per second, all uploads together; 0 = no limit
 * @param requestTimeout     a download that receives nothing for this long asks again for what it misses;
 *                           an upload whose chunks are all acknowledged announces itself again after this
 *                           long without the cloud's {@code file.received}
 * @param progressInterval   progress is reported at least this often while bytes move (and at every 10 %)
 * @param maxDeadline        how far in the future an offer's deadline may be
 * @param uploadDeadline     how long an upload may take in all
 * @param keepFinished       finished transfers kept for {@code file.list}
 * @param maxQueuedBytes     chunk bytes arrived but not yet written; beyond it, chunks are dropped (asked
 *                           again later)
 */
public record FileTransferSettings(Path partDir, Map<FileKind, Long> maxDownloadBytes, long maxUploadBytes,
                                   long minFreeBytes, int defaultChunkSize, int maxChunkSize, int maxConcurrent,
                                   int maxQueuedUploads, int window, int chunksPerSecond, Duration requestTimeout,
                                   Duration progressInterval, Duration maxDeadline, Duration uploadDeadline,
                                   int keepFinished, long maxQueuedBytes) {
    public static final int DEFAULT_CHUNK_SIZE = 64 * 1024;
    public static final int MIN_CHUNK_SIZE = 1024;
    public static final int DEFAULT_MAX_CONCURRENT = 2;
    public static final int DEFAULT_WINDOW = 16;
    /** Well under AWS IoT Core's 100 publishes/s per connection, next to up to 50/s of telemetry. */
    public static final int DEFAULT_CHUNKS_PER_SECOND = 40;

    public FileTransferSettings {
        Objects.requireNonNull(partDir, "partDir");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(progressInterval, "progressInterval");
        Objects.requireNonNull(maxDeadline, "maxDeadline");
        Objects.requireNonNull(uploadDeadline, "uploadDeadline");
        maxDownloadBytes = Map.copyOf(maxDownloadBytes);
        maxDownloadBytes.forEach((k, v) -> require(v > 0, "maxDownloadBytes." + k.wire() + " must be positive"));
        require(maxUploadBytes > 0, "maxUploadBytes must be positive");
        require(minFreeBytes >= 0, "minFreeBytes must not be negative");
        require(maxChunkSize >= MIN_CHUNK_SIZE && maxChunkSize <= ChunkFrame.MAX_DATA,
                "maxChunkSize must be " + MIN_CHUNK_SIZE + ".." + ChunkFrame.MAX_DATA + ", got " + maxChunkSize);
        require(defaultChunkSize >= MIN_CHUNK_SIZE && defaultChunkSize <= maxChunkSize,
                "defaultChunkSize must be " + MIN_CHUNK_SIZE + "..maxChunkSize, got " + defaultChunkSize);
        require(maxConcurrent >= 1 && maxConcurrent <= 16, "maxConcurrent must be 1..16, got " + maxConcurrent);
        require(maxQueuedUploads >= 0 && maxQueuedUploads <= 1000, "maxQueuedUploads must be 0..1000");
        require(window >= 1 && window <= 64, "window must be 1..64, got " + window);
        require(chunksPerSecond >= 0 && chunksPerSecond <= 90, "chunksPerSecond must be 0..90 (0 = no limit)");
        require(!requestTimeout.isNegative() && !requestTimeout.isZero(), "requestTimeout must be positive");
        require(!progressInterval.isNegative() && !progressInterval.isZero(), "progressInterval must be positive");
        require(!maxDeadline.isNegative() && !maxDeadline.isZero(), "maxDeadline must be positive");
        require(!uploadDeadline.isNegative() && !uploadDeadline.isZero(), "uploadDeadline must be positive");
        require(keepFinished >= 0 && keepFinished <= 10_000, "keepFinished must be 0..10000");
        require(maxQueuedBytes >= ChunkFrame.MAX_DATA * 2L, "maxQueuedBytes must be at least two chunks");
    }

    /** The defaults: logo 1 MiB, screen saver 8 MiB, X-ray 64 MiB received; uploads up to 64 MiB. */
    public static FileTransferSettings defaults(Path partDir) {
        Map<FileKind, Long> quota = new EnumMap<>(FileKind.class);
        quota.put(FileKind.LOGO, 1L << 20);
        quota.put(FileKind.SCREENSAVER, 8L << 20);
        quota.put(FileKind.XRAY, 64L << 20);
        return new FileTransferSettings(partDir, quota, 64L << 20, 256L << 20, DEFAULT_CHUNK_SIZE,
                ChunkFrame.MAX_DATA, DEFAULT_MAX_CONCURRENT, 16, DEFAULT_WINDOW, DEFAULT_CHUNKS_PER_SECOND,
                Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofDays(7), Duration.ofDays(2), 50,
                4L << 20);
    }

    /** The same settings with another upload chunk rate (0 = no limit). */
    public FileTransferSettings withChunksPerSecond(int perSecond) {
        return new FileTransferSettings(partDir, maxDownloadBytes, maxUploadBytes, minFreeBytes, defaultChunkSize,
                maxChunkSize, maxConcurrent, maxQueuedUploads, window, perSecond, requestTimeout, progressInterval,
                maxDeadline, uploadDeadline, keepFinished, maxQueuedBytes);
    }

    /** The same settings with other quotas. */
    public FileTransferSettings withMaxDownloadBytes(Map<FileKind, Long> quota) {
        return new FileTransferSettings(partDir, quota, maxUploadBytes, minFreeBytes, defaultChunkSize,
                maxChunkSize, maxConcurrent, maxQueuedUploads, window, chunksPerSecond, requestTimeout,
                progressInterval, maxDeadline, uploadDeadline, keepFinished, maxQueuedBytes);
    }

    /** The same settings with another window and request timeout. */
    public FileTransferSettings withWindow(int newWindow, Duration newRequestTimeout) {
        return new FileTransferSettings(partDir, maxDownloadBytes, maxUploadBytes, minFreeBytes, defaultChunkSize,
                maxChunkSize, maxConcurrent, maxQueuedUploads, newWindow, chunksPerSecond, newRequestTimeout,
                progressInterval, maxDeadline, uploadDeadline, keepFinished, maxQueuedBytes);
    }

    /** The same settings with another free-space reserve. */
    public FileTransferSettings withMinFreeBytes(long bytes) {
        return new FileTransferSettings(partDir, maxDownloadBytes, maxUploadBytes, bytes, defaultChunkSize,
                maxChunkSize, maxConcurrent, maxQueuedUploads, window, chunksPerSecond, requestTimeout,
                progressInterval, maxDeadline, uploadDeadline, keepFinished, maxQueuedBytes);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
