package com.oviron.callidus.store;

import com.oviron.callidus.store.log.FailureLog;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.tinylog.Logger;

/**
 * Writes readings to the outbox in groups, on its own thread ("store-writer"): one transaction (one fsync)
 * when {@code maxRecords} readings have come or the oldest has waited {@code maxDelay}. The sampler only
 * hands readings over ({@link #offer}) and never waits for the disk, so a slow fsync does not delay sampling.
 *
 * <p>A reading is accepted once its group is written. A transaction takes at most {@code maxRecords} readings
 * (what waited longer goes in the next ones at once), so that one transaction stays small on a full disk. If
 * the store fails, the readings stay in memory and the write is retried; beyond {@code capacity} readings in
 * memory the oldest are dropped and counted, so memory stays bounded whatever the disk does. A failure that
 * repeats is logged once a minute with the count of repeats ({@link FailureLog}).
 */
public final class GroupCommitWriter implements AutoCloseable {
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final TelemetryOutbox outbox;
    private final int maxRecords;
    private final long maxDelayNanos;
    private final int capacity;
    private final Thread thread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<NewReading> buffered = new ArrayDeque<>();
    private long oldestSinceNanos;
    private long retryNotBeforeNanos;
    private boolean closing;
    private int writing;
    private long dropped;
    private long failedWrites;
    private long written;
    private long wakeUpsBeforeDue;
    private final FailureLog log = new FailureLog();

    public GroupCommitWriter(TelemetryOutbox outbox, int maxRecords, Duration maxDelay, int capacity) {
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be at least 1, got " + maxRecords);
        }
        if (capacity < maxRecords) {
            throw new IllegalArgumentException("capacity " + capacity + " must be at least maxRecords " + maxRecords);
        }
        if (maxDelay.isNegative()) {
            throw new IllegalArgumentException("maxDelay must not be negative, got " + maxDelay);
        }
        this.outbox = outbox;
        this.maxRecords = maxRecords;
        this.maxDelayNanos = maxDelay.toNanos();
        this.capacity = capacity;
        this.thread = new Thread(this::writeLoop, "store-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Hands readings over for the next group; returns at once. Wakes the writer only when its wait ends sooner:
     * the first readings after an empty buffer set the deadline of a new group, and a full group is due at once.
     * Readings added to a group that is not full yet leave its deadline as it is: waking the writer for each of
     * them (every sample cycle) only made it look and wait again.
     */
    public void offer(List<NewReading> readings) {
        if (readings.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            if (closing) {
                throw new IllegalStateException("writer is closed");
            }
            boolean newGroup = buffered.isEmpty();
            if (newGroup) {
                oldestSinceNanos = System.nanoTime();
            }
            boolean wasFull = buffered.size() >= maxRecords;
            // not addAll: ArrayDeque's makes a method reference per call, which C1 (the unit's only compiler)
            // allocates through Unsafe.allocateInstance, a call into the VM, on every sample cycle
            for (NewReading r : readings) {
                buffered.addLast(r);
            }
            dropOverCapacity();
            if (newGroup || !wasFull && buffered.size() >= maxRecords) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void dropOverCapacity() {
        long before = dropped;
        while (buffered.size() > capacity) {
            buffered.removeFirst();
            dropped++;
        }
        if (dropped > before) {
            log.error("memory", "store writer memory full, the oldest readings not yet written were dropped"
                    + " capacity={} droppedInMemory={}", capacity, dropped);
        }
    }

    private void writeLoop() {
        while (true) {
            List<NewReading> group;
            lock.lock();
            try {
                while (!isDue()) {
                    if (closing && buffered.isEmpty()) {
                        return;
                    }
                    changed.awaitNanos(nanosUntilDue());
                    if (!isDue() && !closing) {
                        wakeUpsBeforeDue++;
                    }
                }
                int n = Math.min(maxRecords, buffered.size());
                group = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    group.add(buffered.removeFirst());
                }
                if (!buffered.isEmpty()) {
                    oldestSinceNanos = System.nanoTime() - maxDelayNanos; // the rest is due at once
                }
                writing = group.size();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            boolean ok = write(group);
            lock.lock();
            try {
                writing = 0;
                if (ok) {
                    written += group.size();
                } else {
                    // put the group back in front of what came meanwhile, oldest first
                    for (int i = group.size() - 1; i >= 0; i--) {
                        buffered.addFirst(group.get(i));
                    }
                    dropOverCapacity();
                    oldestSinceNanos = System.nanoTime();
                    retryNotBeforeNanos = System.nanoTime() + RETRY_NANOS;
                }
                changed.signalAll();
                if (closing && !ok) {
                    Logger.error("store writer closing with readings it could not write notWritten={}",
                            buffered.size());
                    return;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private boolean isDue() {
        if (buffered.isEmpty()) {
            return false;
        }
        long now = System.nanoTime();
        if (now - retryNotBeforeNanos < 0 && !closing) {
            return false;
        }
        return closing || buffered.size() >= maxRecords || now - oldestSinceNanos >= maxDelayNanos;
    }

    private long nanosUntilDue() {
        if (buffered.isEmpty()) {
            return TimeUnit.SECONDS.toNanos(1);
        }
        long now = System.nanoTime();
        long due = Math.max(oldestSinceNanos + maxDelayNanos, retryNotBeforeNanos);
        return Math.max(1, due - now);
    }

    private boolean write(List<NewReading> group) {
        try {
            outbox.append(group);
            log.cleared("write", "store writes again");
            return true;
        } catch (StoreException | RuntimeException e) {
            long failures;
            long droppedNow;
            lock.lock();
            try {
                failures = ++failedWrites;
                droppedNow = dropped;
            } finally {
                lock.unlock();
            }
            log.error("write." + FailureLog.kindOf(e), "store write failed, readings kept in memory group={} failures={} dropped={} error={}",
                    group.size(), failures, droppedNow, e.getMessage());
            return false;
        }
    }

    /** Readings in memory, not yet accepted (including a group being written). */
    public int buffered() {
        lock.lock();
        try {
            return buffered.size() + writing;
        } finally {
            lock.unlock();
        }
    }

    /** Readings dropped because the store failed for longer than memory could bridge. */
    public long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** Group writes that failed. */
    public long failedWrites() {
        lock.lock();
        try {
            return failedWrites;
        } finally {
            lock.unlock();
        }
    }

    /** How often the writer woke while nothing was due yet (an idle second passing counts too); for tests. */
    long wakeUpsBeforeDue() {
        lock.lock();
        try {
            return wakeUpsBeforeDue;
        } finally {
            lock.unlock();
        }
    }

    /** Readings written (accepted) so far. */
    public long written() {
        lock.lock();
        try {
            return written;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes what is in memory now and stops the thread; waits up to {@code timeout}.
     *
     * @return the readings that could not be written (0 on a clean close)
     */
    public int close(Duration timeout) {
        lock.lock();
        try {
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            Logger.warn("store writer did not finish within {} ms", timeout.toMillis());
            thread.interrupt();
        }
        return buffered();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
