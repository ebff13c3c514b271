package com.oviron.callidus.tools.logo;

import com.oviron.callidus.tools.logo.ComposedLogo.NameLine;
import com.oviron.callidus.tools.logo.LogoException.Problem;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.font.FontRenderContext;
import java.awt.font.TextLayout;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders a clinic's SVG logo and its dentists' names into one display-ready image. Pure: bytes and strings in,
 * an image out, no files and no state; safe to use from several threads.
 *
 * <p>Layout, for a W x H image: a margin of {@value #MARGIN_PERCENT}% of the shorter side all round; the names
 * take the lower {@value #NAMES_AREA_PERCENT}% of the rest (none when there are no names), then a gap of
 * {@value #GAP_PERCENT}%; the logo is scaled to fit the upper part, centred, keeping its aspect ratio. The names
 * are centred one per line, in one font size for all: the largest that lets the widest name fit the width and all
 * lines fit the names area (line height {@value #LINE_SPACING} times the size), and no larger than 1/
 * {@value #MAX_FONT_DIVISOR} of the height (57 px on the 1280x800 display), so that one short name is not shouted.
 * A name that would need less than {@value #MIN_FONT_PX} px is an error, not unreadable text.
 *
 * <p>Everything is checked before anything is drawn: the names, a font for each, the SVG, the sizes.
 */
public final class LogoComposer {
    public static final int MAX_NAMES = 8;
    /** Characters (code points) in one name, after trimming. */
    public static final int MAX_NAME_CHARS = 60;
    /** The smallest name text that reads well on the unit's display from the dentist's chair. */
    public static final int MIN_FONT_PX = 16;
    static final int MAX_FONT_DIVISOR = 14;
    static final int MARGIN_PERCENT = 6;
    static final int NAMES_AREA_PERCENT = 36;
    static final int GAP_PERCENT = 4;
    static final double LINE_SPACING = 1.3;
    /** Matches the rendering hints below: anti-aliased text with fractional metrics. */
    private static final FontRenderContext TEXT_CONTEXT = new FontRenderContext(null, true, true);

    private final NameFonts fonts;

    /** Uses the fonts installed on this machine. */
    public LogoComposer() {
        this(NameFonts.installed());
    }

    LogoComposer(NameFonts fonts) {
        this.fonts = fonts;
    }

    /**
     * @param svg    the logo, a self-contained SVG document (UTF-8 or as its XML declaration says)
     * @param names  0 to {@value #MAX_NAMES} names, drawn in this order, one per line
     * @param layout image size and colours
     * @throws LogoException with a one-line reason when the input is unusable
     */
    public ComposedLogo compose(byte[] svg, List<String> names, LogoLayout layout) throws LogoException {
        List<String> lines = checkNames(names);
        List<Font> lineFonts = new ArrayList<>();
        for (String line : lines) {
            lineFonts.add(fonts.forName(line));
        }
        SvgLogo logo = SvgLogo.parse(svg);

        int w = layout.width();
        int h = layout.height();
        int margin = Math.min(w, h) * MARGIN_PERCENT / 100;
        int contentW = w - 2 * margin;
        int contentH = h - 2 * margin;
        int namesH = lines.isEmpty() ? 0 : contentH * NAMES_AREA_PERCENT / 100;
        int gap = lines.isEmpty() ? 0 : contentH * GAP_PERCENT / 100;
        Rectangle2D logoArea = new Rectangle2D.Double(margin, margin, contentW, contentH - namesH - gap);
        Rectangle2D namesArea = new Rectangle2D.Double(margin, h - margin - namesH, contentW, namesH);
        int fontPx = lines.isEmpty() ? 0 : fontPx(lines, lineFonts, namesArea, h);

        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            setQualityHints(g);
            g.setColor(layout.background());
            g.fillRect(0, 0, w, h);
            Rectangle2D logoBounds = logo.renderInto(g, logoArea);
            List<NameLine> drawn = drawNames(g, lines, lineFonts, fontPx, namesArea, layout);
            return new ComposedLogo(image, logoBounds, drawn);
        } finally {
            g.dispose();
        }
    }

    private static List<String> checkNames(List<String> names) throws LogoException {
        if (names.size() > MAX_NAMES) {
            throw new LogoException(Problem.TOO_MANY_NAMES, names.size() + " names given, at most " + MAX_NAMES
                    + " fit the display");
        }
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i) == null ? "" : names.get(i).strip();
            if (name.isEmpty()) {
                throw new LogoException(Problem.NAME_EMPTY, "name " + (i + 1) + " is empty");
            }
            int bad = name.codePoints().filter(LogoComposer::isControl).findFirst().orElse(-1);
            if (bad >= 0) {
                throw new LogoException(Problem.NAME_INVALID, "name " + (i + 1) + " has a control character or line"
                        + " break (U+" + String.format(Locale.ROOT, "%04X", bad) + "); give each name on its own --name");
            }
            int chars = name.codePointCount(0, name.length());
            if (chars > MAX_NAME_CHARS) {
                throw new LogoException(Problem.NAME_TOO_LONG, "name " + (i + 1) + " has " + chars
                        + " characters, at most " + MAX_NAME_CHARS + " are allowed");
            }
            lines.add(name);
        }
        return lines;
    }

    private static boolean isControl(int codePoint) {
        int type = Character.getType(codePoint);
        return type == Character.CONTROL || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }

    /** The one size for all names; the checks here are why a name can be refused. */
    private static int fontPx(List<String> lines, List<Font> lineFonts, Rectangle2D area, int imageHeight)
            throws LogoException {
        int byHeight = (int) Math.floor(area.getHeight() / (lines.size() * LINE_SPACING));
        if (byHeight < MIN_FONT_PX) {
            throw new LogoException(Problem.NAMES_DO_NOT_FIT, lines.size() + " names do not fit the " + (int) area
                    .getHeight() + " px high names area even at " + MIN_FONT_PX + " px; use fewer names or a taller"
                    + " image");
        }
        int size = Math.min(byHeight, Math.max(MIN_FONT_PX, imageHeight / MAX_FONT_DIVISOR));
        // text widths grow in proportion to the size (fractional metrics): start at the estimate, then confirm
        for (int i = 0; i < lines.size(); i++) {
            double advanceAt100 = advance(lines.get(i), lineFonts.get(i), 100);
            int estimate = (int) Math.floor(100 * area.getWidth() / advanceAt100);
            size = Math.min(size, Math.max(estimate, MIN_FONT_PX - 1));
        }
        while (size >= MIN_FONT_PX && widest(lines, lineFonts, size) > area.getWidth()) {
            size--;
        }
        if (size < MIN_FONT_PX) {
            int widest = 0;
            for (int i = 1; i < lines.size(); i++) {
                if (advance(lines.get(i), lineFonts.get(i), MIN_FONT_PX)
                        > advance(lines.get(widest), lineFonts.get(widest), MIN_FONT_PX)) {
                    widest = i;
                }
            }
            throw new LogoException(Problem.NAME_DOES_NOT_FIT, "name '" + lines.get(widest) + "' does not fit the "
                    + (int) area.getWidth() + " px wide names area even at " + MIN_FONT_PX + " px (it needs "
                    + (int) Math.ceil(advance(lines.get(widest), lineFonts.get(widest), MIN_FONT_PX))
                    + " px); shorten it or use a wider image");
        }
        return size;
    }

    private static double widest(List<String> lines, List<Font> lineFonts, int size) {
        double widest = 0;
        for (int i = 0; i < lines.size(); i++) {
            widest = Math.max(widest, advance(lines.get(i), lineFonts.get(i), size));
        }
        return widest;
    }

    private static double advance(String text, Font font, float size) {
        return new TextLayout(text, font.deriveFont(size), TEXT_CONTEXT).getAdvance();
    }

    private static List<NameLine> drawNames(Graphics2D g, List<String> lines, List<Font> lineFonts, int fontPx,
            Rectangle2D area, LogoLayout layout) {
        List<NameLine> drawn = new ArrayList<>();
        double lineHeight = fontPx * LINE_SPACING;
        double top = area.getY() + (area.getHeight() - lineHeight * lines.size()) / 2;
        g.setColor(layout.effectiveTextColor());
        for (int i = 0; i < lines.size(); i++) {
            Font font = lineFonts.get(i).deriveFont((float) fontPx);
            TextLayout text = new TextLayout(lines.get(i), font, g.getFontRenderContext());
            double textHeight = text.getAscent() + text.getDescent();
            double x = area.getX() + (area.getWidth() - text.getAdvance()) / 2;
            double y = top + i * lineHeight + (lineHeight - textHeight) / 2;
            text.draw(g, (float) x, (float) (y + text.getAscent()));
            drawn.add(new NameLine(lines.get(i), font.getFamily(), fontPx,
                    new Rectangle2D.Double(x, y, text.getAdvance(), textHeight)));
        }
        return drawn;
    }

    private static void setQualityHints(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.setRenderingHint(RenderingHints.KEY_COLOR_RENDERING, RenderingHints.VALUE_COLOR_RENDER_QUALITY);
    }
}
