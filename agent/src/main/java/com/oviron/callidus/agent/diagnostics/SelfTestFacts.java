package com.oviron.callidus.agent.diagnostics;

import com.oviron.callidus.agent.alarms.AlarmBook;
import com.oviron.callidus.agent.selftest.SelfTest;
import com.oviron.callidus.hal.GpioLine;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.diagnostics.AlarmRecord;
import com.oviron.callidus.store.diagnostics.DiagnosticsStore;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** What the self-test looks at, read from the running agent's parts (any thread). */
final class SelfTestFacts implements SelfTest.Facts {
    private final Diagnostics.Parts parts;
    private final DiagnosticsStore store;
    private final AlarmBook book;
    private final Supplier<Instant> lastHeard;

    SelfTestFacts(Diagnostics.Parts parts, DiagnosticsStore store, AlarmBook book, Supplier<Instant> lastHeard) {
        this.parts = parts;
        this.store = store;
        this.book = book;
        this.lastHeard = lastHeard;
    }

    @Override
    public Optional<Instant> lastHeard() {
        return Optional.ofNullable(lastHeard.get());
    }

    @Override
    public List<Reading> newest() {
        return parts.newest().get();
    }

    @Override
    public SelfTest.GpioCheck gpio() {
        if (!parts.gpioConfigured()) {
            return new SelfTest.GpioCheck(false, Optional.empty(), Map.of());
        }
        if (parts.gpio().isEmpty()) {
            return new SelfTest.GpioCheck(true, Optional.of("the GPIO lines could not be opened at start"),
                    Map.of());
        }
        Map<String, Boolean> inputs = new LinkedHashMap<>();
        for (GpioLine l : parts.gpio().get().lines()) {
            if (l.isInput()) {
                inputs.put(l.name(), parts.gpio().get().isActive(l.name()));
            }
        }
        return new SelfTest.GpioCheck(true, Optional.empty(), inputs);
    }

    @Override
    public Map<String, String> storageChecks() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("agent.db", check(parts.outboxCheck()::get));
        m.put("diagnostics.db", check(() -> {
            try {
                return store.quickCheck();
            } catch (StoreException e) {
                return e.getMessage();
            }
        }));
        return m;
    }

    private String check(Supplier<String> s) {
        try {
            return s.get();
        } catch (RuntimeException e) {
            return String.valueOf(e.getMessage());
        }
    }

    @Override
    public long freeBytes() {
        try {
            return Files.getFileStore(parts.stateFolder()).getUsableSpace();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public Optional<String> clockProblem() {
        return parts.clockProblem().get();
    }

    @Override
    public boolean brokerConnected() {
        return parts.link().isConnected();
    }

    @Override
    public List<AlarmRecord> openAlarms() {
        return book.open();
    }
}
