package com.oviron.callidus.tools.logo;

import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;

/**
 * A composed logo: the image (opaque RGB, at the layout's size; the caller owns it and may change it), where the
 * SVG was drawn, and each name as drawn.
 */
public record ComposedLogo(BufferedImage image, Rectangle2D logoBounds, List<NameLine> names) {
    public ComposedLogo {
        Objects.requireNonNull(image, "image");
        logoBounds = (Rectangle2D) logoBounds.clone();
        names = List.copyOf(names);
    }

    @Override
    public Rectangle2D logoBounds() {
        return (Rectangle2D) logoBounds.clone();
    }

    /**
     * One name as drawn.
     *
     * @param text       the name (without leading or trailing white space)
     * @param fontFamily the font that displayed it, e.g. "SansSerif" or "DejaVu Sans"
     * @param fontPx     the font size in pixels, the same for every name
     * @param bounds     the box of the line of text: its advance and its ascent plus descent
     */
    public record NameLine(String text, String fontFamily, int fontPx, Rectangle2D bounds) {
        public NameLine {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(fontFamily, "fontFamily");
            bounds = (Rectangle2D) bounds.clone();
        }

        @Override
        public Rectangle2D bounds() {
            return (Rectangle2D) bounds.clone();
        }
    }
}
