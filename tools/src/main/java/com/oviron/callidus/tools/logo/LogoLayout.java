package com.oviron.callidus.tools.logo;

import java.awt.Color;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The size and colours of a composed logo. The default is the CALLIDUS unit's display: 1280x800 on white,
 * names in a dark grey (or near-white on a dark background, when no text colour is given).
 *
 * @param width      image width in pixels, {@value #MIN_SIDE_PX}..{@value #MAX_SIDE_PX}
 * @param height     image height in pixels, {@value #MIN_SIDE_PX}..{@value #MAX_SIDE_PX}
 * @param background the colour behind the logo and names (opaque; the display has no transparency)
 * @param textColor  the names' colour; empty for a dark or light grey chosen by the background's brightness
 */
public record LogoLayout(int width, int height, Color background, Optional<Color> textColor) {
    /** The unit's display. */
    public static final int DEFAULT_WIDTH = 1280;
    public static final int DEFAULT_HEIGHT = 800;
    public static final int MIN_SIDE_PX = 64;
    /** Keeps one image under 64 MiB of memory. */
    public static final int MAX_SIDE_PX = 4096;
    public static final Color DEFAULT_BACKGROUND = Color.WHITE;
    static final Color DARK_TEXT = new Color(0x20, 0x20, 0x20);
    static final Color LIGHT_TEXT = new Color(0xF5, 0xF5, 0xF5);

    public LogoLayout {
        Objects.requireNonNull(background, "background");
        Objects.requireNonNull(textColor, "textColor");
        if (width < MIN_SIDE_PX || width > MAX_SIDE_PX || height < MIN_SIDE_PX || height > MAX_SIDE_PX) {
            throw new IllegalArgumentException("image size " + width + "x" + height + " is not allowed: width and height"
                    + " must be " + MIN_SIDE_PX + ".." + MAX_SIDE_PX);
        }
        background = opaque(background);
        textColor = textColor.map(LogoLayout::opaque);
    }

    /** 1280x800, white, automatic text colour. */
    public static LogoLayout display() {
        return new LogoLayout(DEFAULT_WIDTH, DEFAULT_HEIGHT, DEFAULT_BACKGROUND, Optional.empty());
    }

    /** The names' colour: the one given, or one that reads well on the background. */
    public Color effectiveTextColor() {
        return textColor.orElseGet(() -> {
            double luma = 0.2126 * background.getRed() + 0.7152 * background.getGreen()
                    + 0.0722 * background.getBlue();
            return luma >= 128 ? DARK_TEXT : LIGHT_TEXT;
        });
    }

    /**
     * Parses {@code #rrggbb} (the {@code #} optional, case-insensitive).
     *
     * @throws IllegalArgumentException naming the value and the expected form
     */
    public static Color parseColor(String text) {
        String hex = text.startsWith("#") ? text.substring(1) : text;
        if (!hex.matches("[0-9a-fA-F]{6}")) {
            throw new IllegalArgumentException("colour '" + text + "' is not #rrggbb (e.g. #ffffff)");
        }
        return new Color(Integer.parseInt(hex, 16));
    }

    /** {@code #rrggbb}, for messages. */
    static String hex(Color c) {
        return String.format(Locale.ROOT, "#%06x", c.getRGB() & 0xFFFFFF);
    }

    private static Color opaque(Color c) {
        return c.getAlpha() == 255 ? c : new Color(c.getRGB() & 0xFFFFFF);
    }
}
