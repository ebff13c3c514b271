package com.oviron.callidus.tools.benchmark;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * The ingest baseline of issue 12: Debian's {@code sqlite3} command line inserting the same number of rows into the
 * outbox's table of schema 5, one row per reading (same columns, AUTOINCREMENT, WAL, synchronous FULL, one
 * transaction per group of the same size), with the rows made by SQL itself (a recursive CTE): SQLite's engine and
 * fsync without any driver in between. The outbox now stores blocks of readings (ADR 0029), so it can beat this.
 */
final class SqliteCliBaseline {
    private SqliteCliBaseline() {
    }

    /** Rows per second, or empty when no {@code sqlite3} is installed (the benchmark says so and goes on). */
    static OptionalDouble rowsPerSecond(Path dir, long rows, int group) throws IOException, InterruptedException {
        Path db = dir.resolve("sqlite3-baseline.db");
        Process p;
        try {
            p = new ProcessBuilder("sqlite3", db.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return OptionalDouble.empty();
        }
        long start;
        try (OutputStream in = p.getOutputStream()) {
            in.write(("PRAGMA journal_mode = WAL;\nPRAGMA synchronous = FULL;\n"
                    + "CREATE TABLE reading (seq INTEGER PRIMARY KEY AUTOINCREMENT, channel_id INTEGER NOT NULL,"
                    + " ts INTEGER NOT NULL, value REAL, quality INTEGER NOT NULL);\n")
                    .getBytes(StandardCharsets.US_ASCII));
            start = System.nanoTime();
            long ts = 1_764_000_000_000L;
            for (long done = 0; done < rows; done += group) {
                long n = Math.min(group, rows - done);
                in.write(String.format(Locale.ROOT, "BEGIN; WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1"
                        + " FROM s WHERE i < %d) INSERT INTO reading(channel_id, ts, value, quality)"
                        + " SELECT i %% 50 + 1, %d + i / 50 * 100, 20 + (i %% 997) * 0.013, 0 FROM s; COMMIT;%n",
                        n - 1, ts).getBytes(StandardCharsets.US_ASCII));
                ts += n / 50 * 100;
            }
        } catch (IOException | UncheckedIOException e) {
            p.destroyForcibly();
            throw e;
        }
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("sqlite3 did not finish within 30 minutes");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (p.exitValue() != 0) {
            throw new IOException("sqlite3 exited with " + p.exitValue());
        }
        Files.deleteIfExists(db);
        Files.deleteIfExists(db.resolveSibling(db.getFileName() + "-wal"));
        Files.deleteIfExists(db.resolveSibling(db.getFileName() + "-shm"));
        return OptionalDouble.of(rows / seconds);
    }
}
