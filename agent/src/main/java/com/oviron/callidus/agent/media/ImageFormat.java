package com.oviron.callidus.agent.media;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Image formats the unit recognises by their first bytes ("magic"), never by the file name: a JPEG named
 * {@code logo.png} is a JPEG.
 */
public enum ImageFormat {
    PNG("png"),
    JPEG("jpeg"),
    /** Tagged Image File Format, either byte order. */
    TIFF("tiff"),
    /** DICOM Part 10 file: 128-byte preamble, then "DICM". */
    DICOM("dicom"),
    GIF("gif"),
    BMP("bmp"),
    WEBP("webp");

    /** How many leading bytes {@link #sniff} needs to tell every format apart. */
    public static final int SNIFF_BYTES = 132;

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private final String wire;

    ImageFormat(String wire) {
        this.wire = wire;
    }

    /** As it appears in replies and configuration: lower case. */
    public String wire() {
        return wire;
    }

    /** The format the leading bytes of a file say it is; empty when none of the known ones. */
    public static Optional<ImageFormat> sniff(byte[] head) {
        if (startsWith(head, PNG_MAGIC)) {
            return Optional.of(PNG);
        }
        if (head.length >= 3 && (head[0] & 0xff) == 0xff && (head[1] & 0xff) == 0xd8 && (head[2] & 0xff) == 0xff) {
            return Optional.of(JPEG);
        }
        if (startsWith(head, new byte[] {'I', 'I', 42, 0}) || startsWith(head, new byte[] {'M', 'M', 0, 42})) {
            return Optional.of(TIFF);
        }
        if (head.length >= 132 && Arrays.equals(head, 128, 132, "DICM".getBytes(StandardCharsets.US_ASCII), 0, 4)) {
            return Optional.of(DICOM);
        }
        if (startsWith(head, "GIF87a".getBytes(StandardCharsets.US_ASCII))
                || startsWith(head, "GIF89a".getBytes(StandardCharsets.US_ASCII))) {
            return Optional.of(GIF);
        }
        if (startsWith(head, "BM".getBytes(StandardCharsets.US_ASCII))) {
            return Optional.of(BMP);
        }
        if (head.length >= 12 && startsWith(head, "RIFF".getBytes(StandardCharsets.US_ASCII))
                && Arrays.equals(head, 8, 12, "WEBP".getBytes(StandardCharsets.US_ASCII), 0, 4)) {
            return Optional.of(WEBP);
        }
        return Optional.empty();
    }

    public static Optional<ImageFormat> fromWire(String s) {
        for (ImageFormat f : values()) {
            if (f.wire.equals(s)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] head, byte[] magic) {
        return head.length >= magic.length && Arrays.equals(head, 0, magic.length, magic, 0, magic.length);
    }
}
