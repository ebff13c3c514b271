package com.oviron.callidus.tools.logo;

import static com.oviron.callidus.tools.logo.Fixtures.CIRCLE;
import static com.oviron.callidus.tools.logo.Fixtures.CLINIC_SVG;
import static com.oviron.callidus.tools.logo.Fixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.tools.logo.ComposedLogo.NameLine;
import com.oviron.callidus.tools.logo.LogoException.Problem;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LogoComposerTest {
    private static final List<String> NAMES = List.of("Dr. Maria Ivanova", "Dr. Petar Georgiev");

    private final LogoComposer composer = new LogoComposer();

    private ComposedLogo compose(List<String> names) throws LogoException {
        return composer.compose(bytes(CLINIC_SVG), names, LogoLayout.display());
    }

    private Problem problemOf(byte[] svg, List<String> names, LogoLayout layout) {
        return assertThrows(LogoException.class, () -> composer.compose(svg, names, layout)).problem();
    }

    private Problem problemOfNames(List<String> names) {
        return problemOf(bytes(CLINIC_SVG), names, LogoLayout.display());
    }

    private Problem problemOfSvg(String svg) {
        return problemOf(bytes(svg), NAMES, LogoLayout.display());
    }

    @Test
    void renders_at_the_display_size_by_default() throws Exception {
        BufferedImage image = compose(NAMES).image();
        assertEquals(1280, image.getWidth());
        assertEquals(800, image.getHeight());
        assertEquals(BufferedImage.TYPE_INT_RGB, image.getType());
    }

    @Test
    void renders_at_the_size_asked_for() throws Exception {
        ComposedLogo logo = composer.compose(bytes(CLINIC_SVG), NAMES,
                new LogoLayout(800, 480, Color.WHITE, Optional.empty()));
        assertEquals(800, logo.image().getWidth());
        assertEquals(480, logo.image().getHeight());
    }

    @Test
    void draws_the_svg_in_the_upper_part_with_its_colour_at_the_circle_centre() throws Exception {
        ComposedLogo logo = compose(NAMES);
        Rectangle2D placed = logo.logoBounds();
        // viewBox 0 0 200 100, circle at (50, 50)
        int cx = (int) Math.round(placed.getX() + placed.getWidth() * 50 / 200);
        int cy = (int) Math.round(placed.getY() + placed.getHeight() * 50 / 100);
        for (int[] d : new int[][] {{0, 0}, {-20, 0}, {20, 0}, {0, -20}, {0, 20}}) {
            int rgb = logo.image().getRGB(cx + d[0], cy + d[1]);
            assertTrue(Fixtures.close(CIRCLE, rgb, 2), "pixel near the circle centre is #"
                    + Integer.toHexString(rgb & 0xFFFFFF));
        }
        assertEquals(Color.WHITE.getRGB(), logo.image().getRGB(5, 5), "the corner is background");
        assertTrue(placed.getMaxY() < logo.names().get(0).bounds().getMinY(), "logo above the names");
    }

    @Test
    void keeps_the_svg_aspect_ratio_from_its_view_box() throws Exception {
        Rectangle2D placed = compose(NAMES).logoBounds();
        assertEquals(2.0, placed.getWidth() / placed.getHeight(), 0.01);
        String square = "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 50 50'><rect width='50' height='50'"
                + " fill='#00ff00'/></svg>";
        Rectangle2D squarePlaced = composer.compose(bytes(square), NAMES, LogoLayout.display()).logoBounds();
        assertEquals(1.0, squarePlaced.getWidth() / squarePlaced.getHeight(), 0.01);
    }

    @Test
    void an_svg_with_no_size_and_no_view_box_is_taken_as_300_by_150() throws Exception {
        String noSize = "<svg xmlns='http://www.w3.org/2000/svg'><circle cx='150' cy='75' r='70' fill='#d62828'/>"
                + "</svg>";
        ComposedLogo logo = composer.compose(bytes(noSize), NAMES, LogoLayout.display());
        Rectangle2D placed = logo.logoBounds();
        assertEquals((double) SvgLogo.FALLBACK_WIDTH / SvgLogo.FALLBACK_HEIGHT,
                placed.getWidth() / placed.getHeight(), 0.01);
        assertTrue(Fixtures.close(CIRCLE, logo.image().getRGB((int) placed.getCenterX(), (int) placed.getCenterY()),
                2));
    }

    @Test
    void draws_the_names_below_the_logo_each_inside_the_image_and_not_blank() throws Exception {
        ComposedLogo logo = compose(NAMES);
        assertEquals(NAMES, logo.names().stream().map(NameLine::text).toList());
        int margin = 800 * LogoComposer.MARGIN_PERCENT / 100;
        double previousBottom = 0;
        for (NameLine line : logo.names()) {
            Rectangle2D box = line.bounds();
            assertTrue(box.getMinX() >= margin && box.getMaxX() <= 1280 - margin, "inside the margins: " + box);
            assertTrue(box.getMinY() >= previousBottom, "one under the other");
            previousBottom = box.getMaxY();
            int inked = Fixtures.pixelsNot(logo.image(), Color.WHITE, box);
            assertTrue(inked > box.getWidth() * box.getHeight() * 0.05, "too few text pixels: " + inked);
        }
        assertTrue(previousBottom <= 800 - margin);
    }

    @Test
    void writes_the_names_dark_on_light_and_light_on_dark() throws Exception {
        NameLine onWhite = compose(List.of("Dr. Maria Ivanova")).names().get(0);
        assertTrue(darkestIn(compose(List.of("Dr. Maria Ivanova")).image(), onWhite.bounds()) < 0x40);

        ComposedLogo onNavy = composer.compose(bytes(CLINIC_SVG), List.of("Dr. Maria Ivanova"),
                new LogoLayout(1280, 800, new Color(0x10, 0x20, 0x40), Optional.empty()));
        assertEquals(new Color(0x10, 0x20, 0x40).getRGB(), onNavy.image().getRGB(5, 5));
        assertTrue(brightestIn(onNavy.image(), onNavy.names().get(0).bounds()) > 0xE0);
    }

    @Test
    void sizes_the_names_so_that_the_longest_fits_and_caps_the_size_for_short_ones() throws Exception {
        int shortSize = compose(List.of("Dr. Ivo")).names().get(0).fontPx();
        assertEquals(800 / LogoComposer.MAX_FONT_DIVISOR, shortSize);
        String longName = "Prof. Dr. Maria-Magdalena Konstantinova-Hristova-Petrova DMD";
        ComposedLogo logo = compose(List.of("Dr. Ivo", longName));
        int longSize = logo.names().get(0).fontPx();
        assertTrue(longSize < shortSize && longSize >= LogoComposer.MIN_FONT_PX, "size " + longSize);
        assertEquals(longSize, logo.names().get(1).fontPx(), "one size for all names");
        int margin = 800 * LogoComposer.MARGIN_PERCENT / 100;
        assertTrue(logo.names().get(1).bounds().getWidth() <= 1280 - 2 * margin);
        assertTrue(logo.names().get(1).bounds().getWidth() > (1280 - 2 * margin) * 0.9, "uses the width");
    }

    @Test
    void fits_eight_names() throws Exception {
        List<String> eight = List.of("Dr. A One", "Dr. B Two", "Dr. C Three", "Dr. D Four", "Dr. E Five",
                "Dr. F Six", "Dr. G Seven", "Dr. H Eight");
        ComposedLogo logo = compose(eight);
        assertEquals(8, logo.names().size());
        assertTrue(logo.names().get(7).bounds().getMaxY() <= 800);
    }

    @Test
    void without_names_the_logo_takes_the_whole_area() throws Exception {
        ComposedLogo alone = compose(List.of());
        assertTrue(alone.names().isEmpty());
        assertTrue(alone.logoBounds().getWidth() > compose(NAMES).logoBounds().getWidth());
    }

    @Test
    void renders_cyrillic_names_with_a_font_that_has_the_glyphs() throws Exception {
        ComposedLogo logo = compose(List.of("Д-р Мария Иванова"));
        NameLine line = logo.names().get(0);
        assertEquals(-1, new Font(line.fontFamily(), Font.PLAIN, 12).canDisplayUpTo(line.text()),
                "font " + line.fontFamily());
        assertTrue(Fixtures.pixelsNot(logo.image(), Color.WHITE, line.bounds()) > 500);
        // a font without the glyphs draws the same box for every letter: different letters must differ
        assertFalse(Arrays.equals(namePixels("ЖЖЖЖ"), namePixels("ДДДД")), "Cyrillic letters drawn alike");
        assertFalse(Arrays.equals(namePixels("ЖЖЖЖ"), namePixels("ЛЛЛЛ")), "Cyrillic letters drawn alike");
    }

    private int[] namePixels(String name) throws LogoException {
        ComposedLogo logo = compose(List.of(name));
        BufferedImage image = logo.image();
        int top = (int) logo.names().get(0).bounds().getMinY();
        return image.getRGB(0, top, image.getWidth(), image.getHeight() - top, null, 0, image.getWidth());
    }

    @Test
    void refuses_a_name_that_no_installed_font_can_display() {
        // U+0378 is unassigned: no font has a glyph for it
        LogoException e = assertThrows(LogoException.class,
                () -> composer.compose(bytes(CLINIC_SVG), List.of("Dr. X\u0378"), LogoLayout.display()));
        assertEquals(Problem.NO_FONT_FOR_NAME, e.problem());
        assertTrue(e.getMessage().contains("U+0378") && e.getMessage().contains("position 6"), e.getMessage());
    }

    @Test
    void refuses_empty_and_blank_names() {
        assertEquals(Problem.NAME_EMPTY, problemOfNames(List.of("Dr. A", "")));
        assertEquals(Problem.NAME_EMPTY, problemOfNames(List.of(" \t ")));
    }

    @Test
    void refuses_names_with_line_breaks_or_control_characters() {
        assertEquals(Problem.NAME_INVALID, problemOfNames(List.of("Dr. A\nDr. B")));
        assertEquals(Problem.NAME_INVALID, problemOfNames(List.of("Dr. A\u0007")));
        assertEquals(Problem.NAME_INVALID, problemOfNames(List.of("Dr. A\u2028B")));
    }

    @Test
    void refuses_more_than_eight_names() {
        LogoException e = assertThrows(LogoException.class, () -> compose(Collections.nCopies(9, "Dr. A")));
        assertEquals(Problem.TOO_MANY_NAMES, e.problem());
        assertTrue(e.getMessage().contains("at most 8"), e.getMessage());
    }

    @Test
    void refuses_a_name_with_too_many_characters() {
        assertEquals(Problem.NAME_TOO_LONG, problemOfNames(List.of("x".repeat(LogoComposer.MAX_NAME_CHARS + 1))));
    }

    @Test
    void refuses_a_name_that_does_not_fit_even_at_the_minimum_font_size() {
        String wide = "W".repeat(LogoComposer.MAX_NAME_CHARS);
        LogoException e = assertThrows(LogoException.class, () -> composer.compose(bytes(CLINIC_SVG),
                List.of("Dr. A", wide), new LogoLayout(400, 300, Color.WHITE, Optional.empty())));
        assertEquals(Problem.NAME_DOES_NOT_FIT, e.problem());
        assertTrue(e.getMessage().contains(wide) && e.getMessage().contains("16 px"), e.getMessage());
    }

    @Test
    void refuses_names_that_do_not_fit_the_height() {
        assertEquals(Problem.NAMES_DO_NOT_FIT, problemOf(bytes(CLINIC_SVG), Collections.nCopies(8, "Dr. A"),
                new LogoLayout(640, 200, Color.WHITE, Optional.empty())));
    }

    @Test
    void refuses_bad_dimensions() {
        for (int[] size : new int[][] {{0, 800}, {1280, -1}, {63, 800}, {1280, 4097}}) {
            assertThrows(IllegalArgumentException.class,
                    () -> new LogoLayout(size[0], size[1], Color.WHITE, Optional.empty()));
        }
        new LogoLayout(64, 4096, Color.WHITE, Optional.empty());
    }

    @Test
    void refuses_an_empty_or_oversized_svg() {
        assertEquals(Problem.SVG_UNREADABLE, problemOf(new byte[0], NAMES, LogoLayout.display()));
        byte[] huge = new byte[SvgLogo.MAX_SVG_BYTES + 1];
        Arrays.fill(huge, (byte) ' ');
        assertEquals(Problem.SVG_UNREADABLE, problemOf(huge, NAMES, LogoLayout.display()));
    }

    @Test
    void refuses_an_svg_that_is_not_parseable() {
        LogoException e = assertThrows(LogoException.class, () -> composer.compose(
                bytes("<svg xmlns='http://www.w3.org/2000/svg'>\n<circle"), NAMES, LogoLayout.display()));
        assertEquals(Problem.SVG_NOT_PARSEABLE, e.problem());
        assertTrue(e.getMessage().startsWith("SVG is not well-formed XML: line 2, column "), e.getMessage());
        assertEquals(Problem.SVG_NOT_PARSEABLE, problemOfSvg("this is not XML"));
        assertEquals(Problem.SVG_NOT_PARSEABLE, problemOfSvg("<html><body/></html>"));
        assertEquals(Problem.SVG_NOT_PARSEABLE, problemOfSvg("\u0089PNG\r\n\u001a\n"));
    }

    @Test
    void refuses_an_svg_with_no_area() {
        assertEquals(Problem.SVG_EMPTY_SIZE, problemOfSvg(
                "<svg xmlns='http://www.w3.org/2000/svg' width='0' height='100'><rect width='5' height='5'/></svg>"));
    }

    @Test
    void refuses_an_svg_that_refers_to_a_local_file_or_a_url() {
        for (String href : List.of("file:///etc/passwd", "http://127.0.0.1:9/logo.png", "https://example.com/x.png",
                "logo.png", "../secret.png", "//host/share.png")) {
            LogoException e = assertThrows(LogoException.class,
                    () -> composer.compose(Fixtures.svgWithImage(href), NAMES, LogoLayout.display()), href);
            assertEquals(Problem.SVG_EXTERNAL_REFERENCE, e.problem(), href);
            assertTrue(e.getMessage().contains(href), e.getMessage());
        }
    }

    @Test
    void refuses_external_references_in_use_styles_and_stylesheets() {
        String open = "<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'"
                + " viewBox='0 0 10 10'>";
        for (String body : List.of(
                "<use href='other.svg#logo'/>",
                "<use xlink:href='file:///tmp/other.svg#logo'/>",
                "<rect width='10' height='10' fill='url(http://example.com/p.svg#grad)'/>",
                "<rect width='10' height='10' style='fill: url(\"file:///etc/p.svg#g\")'/>",
                "<style>rect { fill: url(other.svg#g) }</style>",
                "<style>@import 'https://example.com/a.css';</style>",
                "<style><![CDATA[ @font-face { src: url(/usr/share/fonts/x.ttf) } ]]></style>")) {
            assertEquals(Problem.SVG_EXTERNAL_REFERENCE, problemOfSvg(open + body + "</svg>"), body);
        }
        assertEquals(Problem.SVG_EXTERNAL_REFERENCE, problemOfSvg("<?xml-stylesheet href='a.css'?>" + open
                + "</svg>"));
    }

    @Test
    void refuses_xml_entities_and_never_reads_them() {
        String svg = "<?xml version='1.0'?><!DOCTYPE svg [<!ENTITY pw SYSTEM 'file:///etc/passwd'>]>"
                + "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'><text>&pw;</text></svg>";
        assertEquals(Problem.SVG_EXTERNAL_REFERENCE, problemOfSvg(svg));
        String undeclared = "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'><text>&pw;</text></svg>";
        assertEquals(Problem.SVG_NOT_PARSEABLE, problemOfSvg(undeclared));
    }

    @Test
    void allows_internal_references_and_a_doctype_that_is_never_fetched() throws Exception {
        String svg = """
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
                <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">
                  <defs><linearGradient id="g"><stop offset="0" stop-color="#d62828"/>
                    <stop offset="1" stop-color="#d62828"/></linearGradient>
                    <rect id="r" width="10" height="10"/></defs>
                  <use xlink:href="#r" style="fill: url(#g)"/>
                </svg>
                """;
        ComposedLogo logo = composer.compose(bytes(svg), NAMES, LogoLayout.display());
        Rectangle2D placed = logo.logoBounds();
        assertTrue(Fixtures.close(CIRCLE, logo.image().getRGB((int) placed.getCenterX(), (int) placed.getCenterY()),
                2));
    }

    @Test
    void draws_an_embedded_data_image() throws Exception {
        byte[] svg = Fixtures.svgWithImage(Fixtures.dataUri(Fixtures.png(4, 4, new Color(0x2a, 0x9d, 0x8f))));
        ComposedLogo logo = composer.compose(svg, NAMES, LogoLayout.display());
        Rectangle2D placed = logo.logoBounds();
        assertTrue(Fixtures.close(new Color(0x2a, 0x9d, 0x8f),
                logo.image().getRGB((int) placed.getCenterX(), (int) placed.getCenterY()), 3));
    }

    @Test
    void refuses_an_embedded_image_too_big_to_decode_safely() {
        BufferedImage big = new BufferedImage(4097, 4097, BufferedImage.TYPE_BYTE_BINARY);
        byte[] svg = Fixtures.svgWithImage(Fixtures.dataUri(Fixtures.encode(big)));
        LogoException e = assertThrows(LogoException.class, () -> composer.compose(svg, NAMES, LogoLayout.display()));
        assertEquals(Problem.SVG_EMBEDDED_IMAGE_REJECTED, e.problem());
        assertTrue(e.getMessage().contains("4097x4097"), e.getMessage());
    }

    @Test
    void refuses_an_embedded_image_in_an_unreadable_format() {
        byte[] svg = Fixtures.svgWithImage("data:image/png;base64,AAAAAAAAAAAA");
        assertEquals(Problem.SVG_EMBEDDED_IMAGE_REJECTED, problemOf(svg, NAMES, LogoLayout.display()));
    }

    private static int darkestIn(BufferedImage image, Rectangle2D box) {
        int darkest = 255;
        for (int y = (int) box.getMinY(); y < (int) box.getMaxY(); y++) {
            for (int x = (int) box.getMinX(); x < (int) box.getMaxX(); x++) {
                darkest = Math.min(darkest, new Color(image.getRGB(x, y)).getGreen());
            }
        }
        return darkest;
    }

    private static int brightestIn(BufferedImage image, Rectangle2D box) {
        int brightest = 0;
        for (int y = (int) box.getMinY(); y < (int) box.getMaxY(); y++) {
            for (int x = (int) box.getMinX(); x < (int) box.getMaxX(); x++) {
                brightest = Math.max(brightest, new Color(image.getRGB(x, y)).getGreen());
            }
        }
        return brightest;
    }
}
