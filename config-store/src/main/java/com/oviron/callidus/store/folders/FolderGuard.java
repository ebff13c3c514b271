package com.oviron.callidus.store.folders;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.tinylog.Logger;

/**
 * What every {@link ConfinedFolder} of the agent shares: the report of refused entries (each distinct refusal
 * is logged once and raised once as an alarm) and opens with a deadline.
 *
 * <p>Why opens need a deadline: opening a FIFO for reading blocks until a writer comes. The folders check an
 * entry's type before they open it, but other software can put a FIFO in its place in between; an open that
 * does not return within {@link #OPEN_DEADLINE} is given up (the entry is refused) and its thread is left to
 * return whenever the FIFO gets a writer. At most {@link #MAX_OPENERS} opens run or hang at once; beyond that,
 * opens are refused at once, so a folder full of FIFOs costs a few idle threads, never the agent's own
 * threads.
 *
 * <p>Threads: "folder-open-N" (daemon, made as needed, at most {@link #MAX_OPENERS}); reports are thread-safe.
 */
public final class FolderGuard implements AutoCloseable {
    /** Longest an open of an entry of a shared folder may take. */
    public static final Duration OPEN_DEADLINE = Duration.ofSeconds(10);
    /** Opens running (or hanging) at once at most. */
    static final int MAX_OPENERS = 8;
    /** Distinct refusals remembered (and so logged once); beyond it, one line says more are not logged. */
    static final int MAX_REMEMBERED = 1000;

    /** Where a refusal goes besides the log, once: the agent records it as an alarm for the cloud. */
    @FunctionalInterface
    public interface AlarmSink {
        void alarm(String message);
    }

    private final AlarmSink sink;
    private final Duration openDeadline;
    private final ThreadPoolExecutor openers;
    private final AtomicInteger hanging = new AtomicInteger();
    private final Set<String> reported = new HashSet<>();
    private boolean overflowReported;

    /** A guard whose refusals are logged and passed to {@code sink}. */
    public FolderGuard(AlarmSink sink) {
        this(sink, OPEN_DEADLINE);
    }

    FolderGuard(AlarmSink sink, Duration openDeadline) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.openDeadline = openDeadline;
        AtomicInteger n = new AtomicInteger();
        this.openers = new ThreadPoolExecutor(0, MAX_OPENERS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "folder-open-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** A guard that only logs (tests, tools). */
    public static FolderGuard logOnly() {
        return new FolderGuard(message -> { });
    }

    /**
     * Reports that {@code entry} of a folder was refused: logged as a warning and passed to the alarm sink the
     * first time this folder, entry and reason come together (again never in this process, so a link left in
     * place does not flood the log).
     *
     * @return whether this was the first report
     */
    public boolean refused(String folder, String path, String entry, String reason) {
        String key = folder + "\u0000" + entry + "\u0000" + reason;
        synchronized (reported) {
            if (reported.contains(key)) {
                return false;
            }
            if (reported.size() >= MAX_REMEMBERED) {
                if (!overflowReported) {
                    overflowReported = true;
                    Logger.warn("more refused shared folder entries than are remembered; further ones are not logged"
                            + " remembered={}", MAX_REMEMBERED);
                }
                return false;
            }
            reported.add(key);
        }
        String shown = printable(entry);
        Logger.warn("shared folder entry refused folder={} path={} entry={} reason={}", folder, path, shown, reason);
        try {
            sink.alarm(folder + " folder " + path + ": '" + shown + "' refused: " + reason);
        } catch (RuntimeException e) {
            Logger.error("refusal alarm not recorded error={}", e.getMessage());
        }
        return true;
    }

    /**
     * Runs an open with the deadline.
     *
     * @throws UnsafeEntryException when it did not finish in time or too many opens hang already
     */
    <T extends AutoCloseable> T open(Callable<T> opener, String folder, String path, String entry) throws IOException {
        PendingOpen<T> pending = new PendingOpen<>(opener);
        try {
            openers.execute(pending);
        } catch (RejectedExecutionException e) {
            if (openers.isShutdown()) {
                throw new IOException("not opened: the agent is stopping", e);
            }
            String reason = "not opened: " + MAX_OPENERS + " opens in shared folders are running or hang on entries"
                    + " that are not plain files";
            refused(folder, path, entry, reason);
            throw new UnsafeEntryException(folder, entry, reason, true);
        }
        try {
            return pending.await(openDeadline);
        } catch (TimeoutException e) {
            String reason = "did not open within " + openDeadline.toMillis() + " ms: something other than a plain file"
                    + " (a FIFO) was put in its place";
            refused(folder, path, entry, reason);
            throw new UnsafeEntryException(folder, entry, reason, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while opening " + printable(entry));
        }
    }

    /** Opens hanging now (tests, diagnostics). */
    int hanging() {
        return hanging.get();
    }

    /** One open on an opener thread; when its caller gave up, whatever it opens in the end is closed at once. */
    private final class PendingOpen<T extends AutoCloseable> implements Runnable {
        private final Callable<T> opener;
        private T result;
        private Exception failure;
        private boolean done;
        private boolean abandoned;

        PendingOpen(Callable<T> opener) {
            this.opener = opener;
        }

        @Override
        public void run() {
            T r = null;
            Exception f = null;
            try {
                r = opener.call();
            } catch (Exception e) {
                f = e;
            }
            boolean closeIt;
            synchronized (this) {
                result = r;
                failure = f;
                done = true;
                closeIt = abandoned;
                notifyAll();
            }
            if (closeIt) {
                hanging.decrementAndGet();
                if (r != null) {
                    closeQuietly(r);
                }
            }
        }

        synchronized T await(Duration deadline) throws IOException, TimeoutException, InterruptedException {
            long end = System.nanoTime() + deadline.toNanos();
            while (!done) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    abandoned = true;
                    hanging.incrementAndGet();
                    throw new TimeoutException();
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    abandoned = true;
                    hanging.incrementAndGet();
                    throw e;
                }
            }
            if (failure instanceof IOException io) {
                throw io;
            }
            if (failure instanceof RuntimeException r) {
                throw r;
            }
            if (failure != null) {
                throw new IOException(failure);
            }
            return result;
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            Logger.debug("late open closed error={}", e.getMessage());
        }
    }

    /** An entry name as it may appear in a log line or an alarm: no control characters, at most 120 characters. */
    static String printable(String entry) {
        if (entry.isEmpty()) {
            return ".";
        }
        StringBuilder b = new StringBuilder();
        entry.codePoints().limit(120).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return entry.codePointCount(0, entry.length()) > 120 ? b + "..." : b.toString();
    }

    /** Stops the opener threads (a hanging one stays until its FIFO gets a writer; it is a daemon). */
    @Override
    public void close() {
        openers.shutdownNow();
    }
}
