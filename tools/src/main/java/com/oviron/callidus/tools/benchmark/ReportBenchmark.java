package com.oviron.callidus.tools.benchmark;

import com.google.gson.JsonObject;
import com.oviron.callidus.agent.AgentConfig;
import com.oviron.callidus.agent.AgentConfigLoader;
import com.oviron.callidus.agent.diagnostics.DiagnosticsSettings;
import com.oviron.callidus.agent.diagnostics.ErrorCatalog;
import com.oviron.callidus.agent.report.Report;
import com.oviron.callidus.agent.report.ReportBuilder;
import com.oviron.callidus.agent.report.ReportJson;
import com.oviron.callidus.agent.report.ReportPage;
import com.oviron.callidus.store.diagnostics.DiagnosticsStore;
import com.oviron.callidus.store.diagnostics.SqliteDiagnosticsStore;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code benchmark report}: a month of simulated data at 10 Hz on every channel goes through the agent's
 * aggregator, alarms and counters into a real {@code diagnostics.db}; then the month's report is built and
 * rendered (JSON, and the HTML page with its charts) the way {@code report.get} does, and the time that takes
 * is printed next to the goal of 3 s. A benchmark, not a test: it never fails on the figure.
 */
final class ReportBenchmark {
    static final Duration GOAL = Duration.ofSeconds(3);

    private final PrintStream out;
    private final int days;
    private final Duration period;
    private final Optional<Path> page;

    ReportBenchmark(PrintStream out, int days, Duration period, Optional<Path> page) {
        this.out = out;
        this.days = days;
        this.period = period;
        this.page = page;
    }

    int run() throws Exception {
        Path dir = Files.createTempDirectory("callidus-report-bench-");
        AgentConfig config = AgentConfigLoader.parse("{\"device\": {\"id\": \"CAL-BENCH-0001\"}, \"hal\": {\"source\": \"simulator\"}, \"store\": {\"path\":"
                + " \"agent.db\"}, \"mqtt\": {\"allowPlainTcp\": true, \"brokerUri\": \"tcp://localhost:1883\"}}", dir);
        DiagnosticsSettings settings = config.diagnostics();
        Instant to = Instant.parse("2026-11-01T00:00:00Z");
        Instant from = to.minus(Duration.ofDays(days));
        long hz = Math.round(1000.0 / period.toMillis());
        out.printf(Locale.ROOT, "report benchmark: %d days of the simulated board at %d Hz on %d channels into %s%n",
                days, hz, settings.channels().size(), dir.resolve("diagnostics.db"));
        try (DiagnosticsStore store = SqliteDiagnosticsStore.open(dir.resolve("diagnostics.db"), Clock.systemUTC())) {
            SimulatedHistory.Result made = SimulatedHistory.run(settings, store, from, Duration.ofDays(days), period, 1,
                    day -> {
                        if (day % 5 == 0) {
                            out.printf(Locale.ROOT, "  simulating day %d of %d%n", day + 1, days);
                        }
                    });
            out.printf(Locale.ROOT, "history: %,d sample cycles, %,d readings, %d alarm events, made in %.1f s"
                            + " (the agent does this as it samples)%n", made.cycles(), made.readings(),
                    made.alarmEvents(), made.took().toNanos() / 1e9);
            ReportBuilder builder = new ReportBuilder(store, settings.retention(), "CAL-BENCH-0001", "benchmark",
                    ErrorCatalog.shipped().version());
            long now = to.toEpochMilli();
            // warm up once, as report.get on a running agent finds its classes loaded
            render(builder, settings, from.toEpochMilli(), now);
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            Rendered r = render(builder, settings, from.toEpochMilli(), now);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
            out.printf(Locale.ROOT, "report of the %d days (%d-minute buckets, %d alarms): JSON %,d bytes, HTML page"
                            + " %,d bytes with %d charts%n", days, r.report().bucketMinutes(), r.report().alarms().size(),
                    r.json().length(), r.html().length(), r.report().channels().size());
            out.printf(Locale.ROOT, "built and rendered in %.3f s (goal: under %d s); %.3f s of CPU time (the wall time"
                    + " includes waiting for the CPU when the machine is loaded: load average %.1f)%n", seconds,
                    GOAL.toSeconds(), cpu, java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                            .getSystemLoadAverage());
            if (page.isPresent()) {
                Files.writeString(page.get(), r.html(), StandardCharsets.UTF_8);
                out.println("page written to " + page.get().toAbsolutePath());
            }
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        return 0;
    }

    private record Rendered(Report report, String json, String html) {
    }

    private static Rendered render(ReportBuilder builder, DiagnosticsSettings settings, long from, long to)
            throws Exception {
        long bucket = ReportBuilder.autoBucketMinutes(from, to, 600);
        Report report = builder.build(from, to, bucket, settings.channels(), to);
        JsonObject json = ReportJson.of(report, ErrorCatalog.shipped(), settings.usage(), "en");
        return new Rendered(report, json.toString(), ReportPage.of(report, ErrorCatalog.shipped(), settings.usage(),
                "en"));
    }
}
