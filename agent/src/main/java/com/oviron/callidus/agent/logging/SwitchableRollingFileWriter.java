package com.oviron.callidus.agent.logging;

import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import org.tinylog.core.LogEntry;
import org.tinylog.core.LogEntryValue;
import org.tinylog.writers.RollingFileWriter;
import org.tinylog.writers.Writer;

/**
 * The optional log file (tinylog {@code writer = switchable rolling file}, config {@code log.file}): tinylog's
 * rolling file writer, with a size cap and a fixed number of old files, at the level in force of
 * {@link SwitchableConsoleWriter} (so that {@code log.set-level} switches both).
 */
public final class SwitchableRollingFileWriter implements Writer {
    private final RollingFileWriter file;

    public SwitchableRollingFileWriter(Map<String, String> properties) throws IOException {
        this.file = new RollingFileWriter(properties);
    }

    @Override
    public Collection<LogEntryValue> getRequiredLogEntryValues() {
        return file.getRequiredLogEntryValues();
    }

    @Override
    public void write(LogEntry logEntry) throws Exception {
        if (SwitchableConsoleWriter.passes(logEntry.getLevel())) {
            file.write(logEntry);
        }
    }

    @Override
    public void flush() throws Exception {
        file.flush();
    }

    @Override
    public void close() throws Exception {
        file.close();
    }
}
