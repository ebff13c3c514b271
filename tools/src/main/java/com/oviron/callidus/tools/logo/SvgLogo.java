package com.oviron.callidus.tools.logo;

import com.github.weisj.jsvg.SVGDocument;
import com.github.weisj.jsvg.view.FloatSize;
import com.github.weisj.jsvg.parser.SVGLoader;
import com.github.weisj.jsvg.view.ViewBox;
import com.oviron.callidus.tools.logo.LogoException.Problem;
import java.awt.Component;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.io.ByteArrayInputStream;
import java.util.List;

/**
 * A clinic's logo, parsed by JSVG after {@link SvgReferenceCheck}, self-contained ({@link SelfContainedResources})
 * and with a usable size.
 *
 * <p>Its size is the SVG's {@code width} and {@code height}; where those are missing, the {@code viewBox}'s; and
 * where that is missing too, {@value #FALLBACK_WIDTH}x{@value #FALLBACK_HEIGHT} (the CSS default size of a
 * replaced element, which is what JSVG uses). Only the aspect ratio matters: the logo is scaled to fit its area.
 */
final class SvgLogo {
    /** Logos are small; this bounds memory for a file given by mistake (a scan, a video). */
    static final int MAX_SVG_BYTES = 10 * 1024 * 1024;
    static final int FALLBACK_WIDTH = 300;
    static final int FALLBACK_HEIGHT = 150;

    private final SVGDocument document;
    private final double width;
    private final double height;

    private SvgLogo(SVGDocument document, double width, double height) {
        this.document = document;
        this.width = width;
        this.height = height;
    }

    static SvgLogo parse(byte[] svg) throws LogoException {
        if (svg.length == 0) {
            throw new LogoException(Problem.SVG_UNREADABLE, "SVG file is empty");
        }
        if (svg.length > MAX_SVG_BYTES) {
            throw new LogoException(Problem.SVG_UNREADABLE, "SVG file is " + svg.length + " bytes, more than the "
                    + MAX_SVG_BYTES + " a logo may have");
        }
        SvgReferenceCheck.check(svg);
        SelfContainedResources resources = new SelfContainedResources();
        SVGDocument document = load(svg, resources);
        if (document == null) {
            throw new LogoException(Problem.SVG_NOT_PARSEABLE, "the SVG renderer (JSVG) could not build the document"
                    + " (well-formed XML, but not SVG it understands, or over its limits of nesting depth or path count)");
        }
        failOnRefusals(resources);
        FloatSize size = document.size();
        if (!(size.width > 0 && size.height > 0) || !Float.isFinite(size.width) || !Float.isFinite(size.height)) {
            throw new LogoException(Problem.SVG_EMPTY_SIZE, "SVG has no area to draw: its size is " + size.width
                    + "x" + size.height);
        }
        return new SvgLogo(document, size.width, size.height);
    }

    /** JSVG with the given resources, from bytes with no base URI (so that no relative path can be resolved). */
    static SVGDocument load(byte[] svg, SelfContainedResources resources) {
        return new SVGLoader().load(new ByteArrayInputStream(svg), null, resources.loaderContext());
    }

    double width() {
        return width;
    }

    double height() {
        return height;
    }

    /**
     * Draws the logo as large as fits in {@code area}, centred, keeping its aspect ratio.
     *
     * @return where it was drawn
     */
    Rectangle2D renderInto(Graphics2D g, Rectangle2D area) {
        double scale = Math.min(area.getWidth() / width, area.getHeight() / height);
        double w = width * scale;
        double h = height * scale;
        Rectangle2D.Double placed = new Rectangle2D.Double(area.getX() + (area.getWidth() - w) / 2,
                area.getY() + (area.getHeight() - h) / 2, w, h);
        Graphics2D own = (Graphics2D) g.create();
        try {
            // scale ourselves and render at the natural size: an SVG without a viewBox is not scaled by JSVG
            // (nor by a browser) when its viewport grows, but a logo must fill its area all the same
            own.translate(placed.x, placed.y);
            own.scale(scale, scale);
            own.clip(new Rectangle2D.Double(0, 0, width, height));
            document.render((Component) null, own, new ViewBox(0, 0, (float) width, (float) height));
        } finally {
            own.dispose();
        }
        return placed;
    }

    private static void failOnRefusals(SelfContainedResources resources) throws LogoException {
        List<String> refused = resources.refused();
        if (!refused.isEmpty()) {
            throw new LogoException(Problem.SVG_EXTERNAL_REFERENCE, "SVG refers to an external resource: '"
                    + refused.get(0) + "' (a logo must be self-contained)");
        }
        List<String> rejected = resources.rejectedImages();
        if (!rejected.isEmpty()) {
            throw new LogoException(Problem.SVG_EMBEDDED_IMAGE_REJECTED, rejected.get(0));
        }
    }
}
