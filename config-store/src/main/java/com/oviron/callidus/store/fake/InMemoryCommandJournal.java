package com.oviron.callidus.store.fake;

import com.oviron.callidus.store.commands.CommandJournal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A command journal in memory, for tests; loses everything with the object, like a unit without storage. */
public final class InMemoryCommandJournal implements CommandJournal {
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    @Override
    public synchronized Optional<Entry> begin(String id, String name, long expiresAtMillis, long nowMillis) {
        Entry earlier = entries.get(id);
        if (earlier != null) {
            return Optional.of(earlier);
        }
        entries.put(id, new Entry(id, name, nowMillis, expiresAtMillis, Optional.empty()));
        return Optional.empty();
    }

    @Override
    public synchronized void complete(String id, byte[] reply) {
        entries.computeIfPresent(id, (k, e) -> new Entry(e.id(), e.name(), e.receivedAtMillis(), e.expiresAtMillis(),
                Optional.of(reply.clone())));
    }

    @Override
    public synchronized int prune(long nowMillis) {
        int before = entries.size();
        entries.values().removeIf(e -> e.expiresAtMillis() < nowMillis - 24L * 3600 * 1000);
        while (entries.size() > MAX_ENTRIES) {
            entries.remove(entries.keySet().iterator().next());
        }
        return before - entries.size();
    }

    @Override
    public synchronized int size() {
        return entries.size();
    }

    @Override
    public void close() {
        // nothing to release
    }
}
