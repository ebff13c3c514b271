package com.oviron.callidus.tools.logo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogoCommandTest {
    @TempDir
    Path dir;

    private Path svg;
    private Path out;
    private ByteArrayOutputStream stdout;
    private ByteArrayOutputStream stderr;

    @BeforeEach
    void writeFixture() throws Exception {
        svg = dir.resolve("clinic.svg");
        Files.writeString(svg, Fixtures.CLINIC_SVG);
        out = dir.resolve("logo.png");
    }

    private int run(String... args) {
        stdout = new ByteArrayOutputStream();
        stderr = new ByteArrayOutputStream();
        return LogoCommand.run(args, new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));
    }

    /** The usual arguments with some replaced or added: pairs of option and value. */
    private int runWith(String... extra) {
        List<String> args = new ArrayList<>(List.of("--svg", svg.toString(), "--name", "Dr. Maria Ivanova",
                "--name", "Д-р Петър Георгиев", "--out", out.toString()));
        for (int i = 0; i + 1 < extra.length; i += 2) {
            int at = args.indexOf(extra[i]);
            if (at >= 0 && !extra[i].equals("--name")) {
                args.set(at + 1, extra[i + 1]);
            } else {
                args.add(extra[i]);
                args.add(extra[i + 1]);
            }
        }
        return run(args.toArray(String[]::new));
    }

    private String err() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    private void assertOneLineError(int code, String containing) {
        assertEquals(2, code, err());
        String text = err();
        assertTrue(text.startsWith("error: ") && text.strip().lines().count() == 1, "one line: " + text);
        assertTrue(text.contains(containing), text);
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void writes_a_png_at_the_display_size_under_the_display_limit() throws Exception {
        assertEquals(0, runWith(), err());
        byte[] png = Files.readAllBytes(out);
        assertTrue(png.length <= LogoFileWriter.MAX_OUTPUT_BYTES);
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
        BufferedImage image = ImageIO.read(out.toFile());
        assertEquals(1280, image.getWidth());
        assertEquals(800, image.getHeight());
        String said = stdout.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("png 1280x800") && said.contains("2 names"), said);
    }

    @Test
    void writes_the_size_and_format_asked_for() throws Exception {
        out = dir.resolve("logo.jpg");
        assertEquals(0, runWith("--out", out.toString(), "--width", "1024", "--height", "600",
                "--background", "#102040"), err());
        byte[] jpeg = Files.readAllBytes(out);
        assertEquals((byte) 0xFF, jpeg[0]);
        assertEquals((byte) 0xD8, jpeg[1]);
        BufferedImage image = ImageIO.read(out.toFile());
        assertEquals(1024, image.getWidth());
        assertEquals(600, image.getHeight());

        Path explicit = dir.resolve("logo-image");
        assertEquals(0, runWith("--out", explicit.toString(), "--format", "jpeg"), err());
        assertEquals((byte) 0xD8, Files.readAllBytes(explicit)[1]);
    }

    @Test
    void help_exits_0() {
        assertEquals(0, run("--help"));
        assertTrue(stdout.toString(StandardCharsets.UTF_8).contains("--svg <file>"));
    }

    @Test
    void a_missing_or_unreadable_svg_is_exit_2() throws Exception {
        assertOneLineError(runWith("--svg", dir.resolve("nope.svg").toString()), "no such file");
        assertOneLineError(runWith("--svg", dir.toString()), "folder");
    }

    @Test
    void an_unparseable_svg_is_exit_2() throws Exception {
        Files.writeString(svg, "<svg xmlns='http://www.w3.org/2000/svg'><g>");
        assertOneLineError(runWith(), "not well-formed");
    }

    @Test
    void an_svg_with_an_external_reference_is_exit_2() throws Exception {
        Files.write(svg, Fixtures.svgWithImage("file:///etc/passwd"));
        assertOneLineError(runWith(), "file:///etc/passwd");
        Files.write(svg, Fixtures.svgWithImage("http://127.0.0.1:9/x.png"));
        assertOneLineError(runWith(), "external resource");
    }

    @Test
    void bad_names_are_exit_2() {
        assertOneLineError(runWith("--name", "  "), "empty");
        String[] nine = new String[18];
        for (int i = 0; i < 9; i++) {
            nine[2 * i] = "--name";
            nine[2 * i + 1] = "Dr. " + i;
        }
        assertOneLineError(runWith(nine), "at most 8");
        assertOneLineError(runWith("--width", "320", "--height", "240", "--name", "W".repeat(60)),
                "does not fit");
        assertOneLineError(runWith("--name", "Dr. \u0378"), "no installed font");
    }

    @Test
    void bad_options_are_exit_2() {
        assertOneLineError(runWith("--width", "0"), "64..4096");
        assertOneLineError(runWith("--height", "5000"), "64..4096");
        assertOneLineError(runWith("--width", "wide"), "whole number");
        assertOneLineError(runWith("--format", "gif"), "unknown format 'gif'");
        assertOneLineError(runWith("--background", "white"), "#rrggbb");
        assertOneLineError(runWith("--format", "jpeg"), "does not match");
        assertOneLineError(runWith("--colour", "red"), "unknown option");
        assertOneLineError(run("--svg", svg.toString(), "--name", "Dr. A"), "--out");
        assertOneLineError(run("--out", out.toString()), "--svg");
        assertOneLineError(run("--svg"), "needs a value");
    }

    @Test
    void a_write_failure_is_exit_1() {
        out = dir.resolve("missing-folder").resolve("logo.png");
        assertEquals(1, runWith("--out", out.toString()));
        assertTrue(err().startsWith("error: cannot write"), err());
    }

    @Test
    void an_existing_logo_is_kept_when_the_new_one_is_refused() throws Exception {
        Files.write(out, new byte[] {42});
        assertEquals(2, runWith("--name", ""));
        assertEquals(Arrays.toString(new byte[] {42}), Arrays.toString(Files.readAllBytes(out)));
    }
}
