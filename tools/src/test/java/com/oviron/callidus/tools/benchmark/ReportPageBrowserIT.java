package com.oviron.callidus.tools.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.agent.AgentConfigLoader;
import com.oviron.callidus.agent.diagnostics.DiagnosticsSettings;
import com.oviron.callidus.agent.diagnostics.ErrorCatalog;
import com.oviron.callidus.agent.report.Report;
import com.oviron.callidus.agent.report.ReportBuilder;
import com.oviron.callidus.agent.report.ReportPage;
import com.oviron.callidus.store.fake.InMemoryDiagnosticsStore;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A report page of a simulated clinic day, rendered by Debian's headless Chromium: the screenshot is not blank
 * and every channel's chart shows its mean line. Needs {@code chromium} (the CI installs it); without it the
 * test fails.
 */
class ReportPageBrowserIT {
    /** The mean line's colour in the page (SvgCharts.MEAN_COLOUR, #1565c0). */
    private static final int[] MEAN = {0x15, 0x65, 0xc0};

    @TempDir
    Path dir;

    private static Path chromium() {
        for (String name : List.of("chromium", "chromium-browser")) {
            for (String folder : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
                Path p = Path.of(folder, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        throw new AssertionError("Debian's chromium is needed for this test: apt-get install -y chromium");
    }

    @Test
    void the_page_renders_in_a_real_browser_with_a_chart_per_channel() throws Exception {
        Path browser = chromium();
        DiagnosticsSettings settings = AgentConfigLoader.parse("{\"device\": {\"id\": \"CAL-PAGE-1\"}, \"hal\": {\"source\": \"simulator\"}, \"store\": "
                + "{\"path\": \"agent.db\"}, \"mqtt\": {\"allowPlainTcp\": true, \"brokerUri\": \"tcp://localhost:1883\"}}",
                dir).diagnostics();
        InMemoryDiagnosticsStore store = new InMemoryDiagnosticsStore();
        Instant from = Instant.parse("2026-11-20T00:00:00Z");
        SimulatedHistory.run(settings, store, from, Duration.ofDays(1), Duration.ofMillis(500), 7, day -> { });
        long to = from.plus(Duration.ofDays(1)).toEpochMilli();
        Report report = new ReportBuilder(store, settings.retention(), "CAL-PAGE-1", "test",
                ErrorCatalog.shipped().version()).build(from.toEpochMilli(), to, 5, settings.channels(), to);
        String html = ReportPage.of(report, ErrorCatalog.shipped(), settings.usage(), "en");
        Path page = dir.resolve("report.html");
        Files.writeString(page, html, StandardCharsets.UTF_8);

        Matcher svg = Pattern.compile("<svg [^>]*class=\"chart\" data-channel=\"([a-z0-9_]+)\"").matcher(html);
        List<String> charts = new ArrayList<>();
        while (svg.find()) {
            charts.add(svg.group(1));
        }
        assertEquals(settings.channels().stream().map(c -> c.id()).toList(), charts, "an <svg> per channel");
        assertTrue(report.alarms().size() >= 4, "the day's faults are on the page: " + report.alarms().size());

        Path shot = dir.resolve("shot.png");
        Path profile = Files.createDirectory(dir.resolve("profile"));
        Process p = new ProcessBuilder(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile, "--screenshot=" + shot,
                "--window-size=1100,4200", page.toUri().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "chromium finished");
        assertTrue(Files.size(shot) > 0, "a screenshot: " + Files.readString(dir.resolve("chromium.log")));

        BufferedImage image = ImageIO.read(shot.toFile());
        assertEquals(1100, image.getWidth());
        Set<Integer> colours = new HashSet<>();
        long notWhite = 0;
        List<Integer> meanRows = new ArrayList<>();
        for (int y = 0; y < image.getHeight(); y++) {
            int meanPixels = 0;
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (rgb != 0xffffff) {
                    notWhite++;
                }
                if (near(rgb, MEAN)) {
                    meanPixels++;
                }
            }
            if (meanPixels > 0) {
                meanRows.add(y);
            }
        }
        long pixels = (long) image.getWidth() * image.getHeight();
        assertTrue(colours.size() > 50, "not blank: " + colours.size() + " colours");
        assertTrue(notWhite > pixels / 50, "not blank: " + notWhite + " of " + pixels + " pixels not white");
        // rows with mean-line pixels form one band per chart, apart from each other by the charts' headings
        int bands = 0;
        int last = -1000;
        for (int y : meanRows) {
            if (y - last > 30) {
                bands++;
            }
            last = y;
        }
        assertEquals(settings.channels().size(), bands, "a mean line in every chart; rows with it: " + meanRows.size());
    }

    private static boolean near(int rgb, int[] c) {
        return Math.abs((rgb >> 16 & 0xff) - c[0]) <= 24 && Math.abs((rgb >> 8 & 0xff) - c[1]) <= 24
                && Math.abs((rgb & 0xff) - c[2]) <= 24;
    }
}
