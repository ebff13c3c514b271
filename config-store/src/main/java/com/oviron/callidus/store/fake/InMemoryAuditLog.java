package com.oviron.callidus.store.fake;

import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.audit.AuditEntry;
import com.oviron.callidus.store.audit.AuditLog;
import com.oviron.callidus.store.audit.NewAuditEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/** An audit log in memory, for tests; {@link #failNextAppends} makes appends fail like a full disk. */
public final class InMemoryAuditLog implements AuditLog {
    private final Deque<AuditEntry> entries = new ArrayDeque<>();
    private final int maxEntries;
    private long nextSeq = 1;
    private long removed;
    private int failNextAppends;

    public InMemoryAuditLog(int maxEntries) {
        if (maxEntries < 10) {
            throw new IllegalArgumentException("an audit log keeps at least 10 entries, got " + maxEntries);
        }
        this.maxEntries = maxEntries;
    }

    public InMemoryAuditLog() {
        this(DEFAULT_MAX_ENTRIES);
    }

    /** The next {@code n} appends fail with a {@link StoreException}. */
    public synchronized void failNextAppends(int n) {
        failNextAppends = n;
    }

    @Override
    public synchronized long append(NewAuditEntry entry) throws StoreException {
        if (failNextAppends > 0) {
            failNextAppends--;
            throw new StoreException("injected failure: disk full");
        }
        long seq = nextSeq++;
        entries.addLast(toEntry(seq, entry));
        while (entries.size() > maxEntries) {
            entries.removeFirst();
            removed++;
        }
        return seq;
    }

    private static AuditEntry toEntry(long seq, NewAuditEntry e) {
        return new AuditEntry(seq, e.atMillis(), e.actor(), e.role(), e.via(), e.session(), e.action(), e.details(),
                e.outcome(), e.ok());
    }

    @Override
    public synchronized List<AuditEntry> newest(int limit) {
        List<AuditEntry> out = new ArrayList<>();
        Iterator<AuditEntry> it = entries.descendingIterator();
        while (it.hasNext() && out.size() < limit) {
            out.add(it.next());
        }
        return out;
    }

    @Override
    public synchronized List<AuditEntry> session(String session) {
        if (session.isEmpty()) {
            return List.of();
        }
        return entries.stream().filter(e -> e.session().equals(session)).toList();
    }

    @Override
    public synchronized long count() {
        return entries.size();
    }

    @Override
    public synchronized long removed() {
        return removed;
    }

    @Override
    public int maxEntries() {
        return maxEntries;
    }

    @Override
    public void close() {
    }
}
