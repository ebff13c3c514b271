package com.oviron.callidus.store.fake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.diagnostics.DiagnosticsStore;
import com.oviron.callidus.store.diagnostics.DiagnosticsStoreContract;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InMemoryDiagnosticsStoreTest extends DiagnosticsStoreContract {
    @Override
    protected DiagnosticsStore create() {
        return new InMemoryDiagnosticsStore();
    }

    @Test
    void a_scripted_failure_changes_nothing() throws Exception {
        InMemoryDiagnosticsStore s = (InMemoryDiagnosticsStore) store;
        s.failNextWrites(1);
        assertThrows(StoreException.class, () -> s.addToCounters(Map.of("a", 1L), T0));
        assertEquals(Map.of(), s.counters());
        s.addToCounters(Map.of("a", 1L), T0);
        assertEquals(Map.of("a", 1L), s.counters());
    }
}
