package com.oviron.callidus.tools.logo;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.imageio.ImageIO;

/** SVG documents and image helpers shared by the logo tests. */
final class Fixtures {
    /** The circle's fill. */
    static final Color CIRCLE = new Color(0xD6, 0x28, 0x28);

    /** A red circle on the left half, a word on the right; 2:1. */
    static final String CLINIC_SVG = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100">
              <circle cx="50" cy="50" r="45" fill="#d62828"/>
              <text x="105" y="60" font-family="SansSerif" font-size="28" fill="#1d3557">Smile</text>
            </svg>
            """;

    private Fixtures() {
    }

    static byte[] bytes(String svg) {
        return svg.getBytes(StandardCharsets.UTF_8);
    }

    /** An SVG, 100x100, white, with one {@code <image>} over all of it. */
    static byte[] svgWithImage(String href) {
        return bytes("""
                <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
                     width="100" height="100" viewBox="0 0 100 100">
                  <rect width="100" height="100" fill="#ffffff"/>
                  <image x="0" y="0" width="100" height="100" xlink:href="%s"/>
                </svg>
                """.formatted(href));
    }

    static byte[] png(int width, int height, Color color) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, color.getRGB());
            }
        }
        return encode(image);
    }

    static byte[] encode(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String dataUri(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }

    static boolean close(Color expected, int rgb, int tolerance) {
        Color actual = new Color(rgb);
        return Math.abs(actual.getRed() - expected.getRed()) <= tolerance
                && Math.abs(actual.getGreen() - expected.getGreen()) <= tolerance
                && Math.abs(actual.getBlue() - expected.getBlue()) <= tolerance;
    }

    /** Pixels in the box (clipped to the image) that differ from the colour. */
    static int pixelsNot(BufferedImage image, Color color, java.awt.geom.Rectangle2D box) {
        int count = 0;
        int x0 = Math.max(0, (int) Math.floor(box.getMinX()));
        int y0 = Math.max(0, (int) Math.floor(box.getMinY()));
        int x1 = Math.min(image.getWidth(), (int) Math.ceil(box.getMaxX()));
        int y1 = Math.min(image.getHeight(), (int) Math.ceil(box.getMaxY()));
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) != (color.getRGB() & 0xFFFFFF)) {
                    count++;
                }
            }
        }
        return count;
    }
}
