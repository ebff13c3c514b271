package com.oviron.callidus.cloud.console;

import com.oviron.callidus.cloud.PublishRateLimiter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.tinylog.Logger;

/**
 * The byte stream of one remote console session, as the unit's console reads and writes it: bytes from the
 * cloud's frames in, frames to the cloud out (at most {@link ConsoleFrame#MAX_OUT_BYTES} each, at most
 * {@value #OUT_FRAMES_PER_SECOND} a second: a writer waits for its turn). It ends (once, with a reason that the
 * cloud gets in a last frame) when no input came for the idle time, after the longest time, or when
 * {@link #end} is called; afterwards {@link #read} and {@link #write} throw {@link IOException}, which ends the
 * console that uses it.
 *
 * <p>Threads: the connection's thread offers input ({@link #offer}); one console thread reads and writes;
 * {@link #end} from any thread.
 */
public final class RemoteConsoleStream {
    /** Frames the unit publishes per second at most. */
    public static final int OUT_FRAMES_PER_SECOND = 20;
    /** Frames from the cloud taken per second at most (bursts of one second); more are dropped. */
    public static final int IN_FRAMES_PER_SECOND = 50;
    /** Input bytes waiting for the console at most; a frame beyond is dropped. */
    static final int MAX_WAITING_INPUT = 64 * 1024;
    private static final long DROP_LOG_MILLIS = 60_000;

    /** Publishes one frame; a failure ends the stream. */
    interface Publisher {
        java.util.concurrent.CompletableFuture<Void> publish(byte[] frame);
    }

    private final String session;
    private final Publisher publisher;
    private final Clock clock;
    private final Duration idle;
    private final long endsAtMillis;
    private final Consumer<String> onEnd;
    private final LinkedBlockingQueue<byte[]> input = new LinkedBlockingQueue<>();
    private final AtomicLong waitingBytes = new AtomicLong();
    private final PublishRateLimiter inLimit;
    private final PublishRateLimiter outLimit;
    private final AtomicLong dropped = new AtomicLong();
    private long lastInSeq;
    private long outSeq;
    private volatile long lastInputMillis;
    private volatile String endReason;
    private long lastDropLogMillis = Long.MIN_VALUE;
    private byte[] leftover = new byte[0];

    RemoteConsoleStream(String session, Publisher publisher, Clock clock, Duration idle, Duration maxTime,
                        Consumer<String> onEnd) {
        this.session = session;
        this.publisher = publisher;
        this.clock = clock;
        this.idle = idle;
        this.onEnd = onEnd;
        this.lastInputMillis = clock.millis();
        this.endsAtMillis = lastInputMillis + maxTime.toMillis();
        this.inLimit = new PublishRateLimiter(IN_FRAMES_PER_SECOND, System::nanoTime);
        this.outLimit = new PublishRateLimiter(OUT_FRAMES_PER_SECOND, System::nanoTime);
    }

    public String session() {
        return session;
    }

    /** Why it ended, once it has. */
    public Optional<String> endReason() {
        return Optional.ofNullable(endReason);
    }

    /** Frames from the cloud dropped so far (over the rate, or too much waiting). */
    public long droppedFrames() {
        return dropped.get();
    }

    /** A frame from the cloud for this session (connection thread): taken once, in order, within the limits. */
    synchronized void offer(ConsoleFrame frame) {
        if (endReason != null || frame.data().isEmpty()) {
            return;
        }
        if (frame.seq() <= lastInSeq) {
            return; // a copy (QoS 1) or an old frame
        }
        byte[] bytes = frame.data().get();
        if (inLimit.tryAcquire() > 0 || waitingBytes.get() + bytes.length > MAX_WAITING_INPUT) {
            long n = dropped.incrementAndGet();
            long now = clock.millis();
            if (lastDropLogMillis == Long.MIN_VALUE || now - lastDropLogMillis >= DROP_LOG_MILLIS) {
                lastDropLogMillis = now;
                Logger.warn("remote console input dropped (too fast) session={} dropped={}", session, n);
            }
            return;
        }
        lastInSeq = frame.seq();
        lastInputMillis = clock.millis();
        waitingBytes.addAndGet(bytes.length);
        input.add(bytes);
    }

    /**
     * Reads what came from the cloud, waiting up to {@code timeout}.
     *
     * @return the number of bytes read into the start of {@code buffer}, 0 when nothing came in time
     * @throws IOException once the stream has ended (also by idle or the longest time, checked here)
     */
    public int read(byte[] buffer, Duration timeout) throws IOException {
        checkTime();
        if (leftover.length == 0) {
            byte[] next;
            try {
                next = input.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
            if (next == null) {
                checkTime();
                return 0;
            }
            waitingBytes.addAndGet(-next.length);
            leftover = next;
        }
        int n = Math.min(buffer.length, leftover.length);
        System.arraycopy(leftover, 0, buffer, 0, n);
        leftover = Arrays.copyOfRange(leftover, n, leftover.length);
        return n;
    }

    /** Sends bytes to the cloud in frames, waiting for the rate limit; throws once the stream has ended. */
    public void write(byte[] data) throws IOException {
        for (int from = 0; from < data.length; from += ConsoleFrame.MAX_OUT_BYTES) {
            checkEnded();
            waitForRate();
            byte[] part = Arrays.copyOfRange(data, from, Math.min(data.length, from + ConsoleFrame.MAX_OUT_BYTES));
            java.util.concurrent.CompletableFuture<Void> sent;
            // numbered and handed on under the lock, so that frames go out in their order and none after the end
            synchronized (this) {
                checkEnded();
                sent = publisher.publish(ConsoleFrame.data(session, ++outSeq, part).encode());
            }
            sent.whenComplete((ok, e) -> {
                if (e != null) {
                    end("link_lost");
                }
            });
        }
    }

    private void waitForRate() throws IOException {
        long wait;
        while ((wait = outLimit.tryAcquire()) > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
        }
    }

    /**
     * Ends the session: the cloud gets a last frame with {@code reason}; later calls do nothing.
     *
     * @param reason {@code closed}, {@code idle}, {@code max_time}, {@code consent_revoked}, {@code consent_ended},
     *               {@code link_lost}, {@code unit_stopping}...
     */
    public void end(String reason) {
        java.util.concurrent.CompletableFuture<Void> sent;
        synchronized (this) {
            if (endReason != null) {
                return;
            }
            endReason = reason;
            sent = publisher.publish(ConsoleFrame.end(session, ++outSeq, reason).encode());
        }
        input.add(new byte[0]); // wakes a reader
        sent.whenComplete((ok, e) -> {
            if (e != null) {
                Logger.warn("remote console end not published session={} reason={} error={}", session, reason,
                        e.getMessage());
            }
        });
        Logger.info("remote console ended session={} reason={}", session, reason);
        onEnd.accept(reason);
    }

    private void checkTime() throws IOException {
        long now = clock.millis();
        if (now >= endsAtMillis) {
            end("max_time");
        } else if (now - lastInputMillis >= idle.toMillis()) {
            end("idle");
        }
        checkEnded();
    }

    private void checkEnded() throws IOException {
        String reason = endReason;
        if (reason != null) {
            throw new IOException("the remote console ended: " + reason);
        }
    }
}
