package com.oviron.callidus.tools.logo;

import com.oviron.callidus.tools.logo.LogoException.Problem;
import java.util.Locale;

/** The image formats the unit's display accepts. */
public enum OutputFormat {
    /** Lossless; the default. */
    PNG("png"),
    /** Smaller for photographic logos; written at quality {@link LogoFileWriter#JPEG_QUALITY}. */
    JPEG("jpeg");

    private final String imageIoName;

    OutputFormat(String imageIoName) {
        this.imageIoName = imageIoName;
    }

    String imageIoName() {
        return imageIoName;
    }

    /** {@code png}, {@code jpeg} or {@code jpg}, any case. */
    public static OutputFormat parse(String text) throws LogoException {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "png" -> PNG;
            case "jpeg", "jpg" -> JPEG;
            default -> throw new LogoException(Problem.BAD_OPTION, "unknown format '" + text
                    + "': use png or jpeg");
        };
    }
}
