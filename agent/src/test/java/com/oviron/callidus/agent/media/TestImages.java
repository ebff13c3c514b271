package com.oviron.callidus.agent.media;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Images made in the test with ImageIO, and hostile variants of them. */
final class TestImages {
    private TestImages() {
    }

    static byte[] png(int width, int height) {
        return encode("png", width, height, 0);
    }

    /** A PNG whose pixels differ by {@code seed}, so two images of the same size have different bytes. */
    static byte[] png(int width, int height, int seed) {
        return encode("png", width, height, seed);
    }

    static byte[] jpeg(int width, int height) {
        return encode("jpeg", width, height, 0);
    }

    static byte[] gif(int width, int height) {
        return encode("gif", width, height, 0);
    }

    static byte[] bmp(int width, int height) {
        return encode("bmp", width, height, 0);
    }

    private static byte[] encode(String format, int width, int height, int seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, ((x * 7 + seed) & 0xff) << 16 | ((y * 3 + seed * 5) & 0xff) << 8 | ((x ^ y) & 0xff));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A small, well-formed PNG whose header declares {@code width x height}: decoding it would allocate
     * width*height*4 bytes.
     */
    static byte[] pngBomb(int width, int height) {
        byte[] real = png(8, 8);
        byte[] bomb = real.clone();
        ByteBuffer b = ByteBuffer.wrap(bomb);
        b.putInt(16, width);
        b.putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(bomb, 12, 17);
        b.putInt(29, (int) crc.getValue());
        return bomb;
    }

    /** A JPEG whose start-of-frame declares {@code width x height} (each at most 65535). */
    static byte[] jpegBomb(int width, int height) {
        byte[] jpeg = jpeg(16, 16);
        for (int i = 2; i + 8 < jpeg.length; i++) {
            if ((jpeg[i] & 0xff) == 0xff && ((jpeg[i + 1] & 0xff) == 0xc0 || (jpeg[i + 1] & 0xff) == 0xc2)) {
                jpeg[i + 5] = (byte) (height >> 8);
                jpeg[i + 6] = (byte) height;
                jpeg[i + 7] = (byte) (width >> 8);
                jpeg[i + 8] = (byte) width;
                return jpeg;
            }
        }
        throw new IllegalStateException("no SOF marker in the test JPEG");
    }

    static byte[] truncated(byte[] image, int keep) {
        return Arrays.copyOf(image, keep);
    }

    static Path write(Path folder, String name, byte[] content) {
        try {
            Path file = folder.resolve(name);
            Files.write(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
