package com.oviron.callidus.agent.media;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What the unit's display can show, against which a logo or screen saver is checked before it is installed.
 * Rule: a screen saver must be exactly {@code width x height}; a logo must fit within it (1 to width wide, 1 to
 * height high). The defaults are an assumption until confirmed with the hardware team (docs/media.md).
 *
 * @param width           display width in pixels
 * @param height          display height in pixels
 * @param acceptedFormats formats the unit's UI decodes (a subset of PNG and JPEG)
 * @param maxBytes        largest image file accepted
 */
public record DisplaySpec(int width, int height, Set<ImageFormat> acceptedFormats, long maxBytes) {
    public static final int DEFAULT_WIDTH = 1280;
    public static final int DEFAULT_HEIGHT = 800;
    public static final long DEFAULT_MAX_BYTES = 4L * 1024 * 1024;
    /** Largest display this code accepts in a spec: keeps decoding within a few tens of MB of heap. */
    public static final int MAX_SIDE = 8192;

    public DisplaySpec {
        if (width < 1 || width > MAX_SIDE || height < 1 || height > MAX_SIDE) {
            throw new IllegalArgumentException("display width and height must be 1 to " + MAX_SIDE + ", got "
                    + width + "x" + height);
        }
        Objects.requireNonNull(acceptedFormats, "acceptedFormats");
        if (acceptedFormats.isEmpty()) {
            throw new IllegalArgumentException("display accepted formats must not be empty");
        }
        for (ImageFormat f : acceptedFormats) {
            if (f != ImageFormat.PNG && f != ImageFormat.JPEG) {
                throw new IllegalArgumentException("display accepted formats may be png and jpeg, got " + f.wire());
            }
        }
        acceptedFormats = Set.copyOf(acceptedFormats);
        if (maxBytes < 1 || maxBytes > 64L * 1024 * 1024) {
            throw new IllegalArgumentException("display max bytes must be 1 to 67108864, got " + maxBytes);
        }
    }

    /** 1280x800, PNG and JPEG, 4 MiB. */
    public static DisplaySpec defaults() {
        return new DisplaySpec(DEFAULT_WIDTH, DEFAULT_HEIGHT, EnumSet.of(ImageFormat.PNG, ImageFormat.JPEG),
                DEFAULT_MAX_BYTES);
    }
}
