package com.oviron.callidus.tools.logo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.tools.logo.LogoException.Problem;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogoFileWriterTest {
    @TempDir
    Path dir;

    private final LogoFileWriter writer = new LogoFileWriter();

    private static BufferedImage image(int width, int height, Color color) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, color.getRGB());
            }
        }
        return image;
    }

    @Test
    void encodes_png_losslessly_and_jpeg_close() throws Exception {
        BufferedImage original = image(64, 40, new Color(0x12, 0x34, 0x56));
        byte[] png = writer.encode(original, OutputFormat.PNG);
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(64, back.getWidth());
        assertEquals(original.getRGB(10, 10), back.getRGB(10, 10));

        byte[] jpeg = writer.encode(original, OutputFormat.JPEG);
        assertEquals((byte) 0xFF, jpeg[0]);
        assertEquals((byte) 0xD8, jpeg[1]);
        BufferedImage jpegBack = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertEquals(40, jpegBack.getHeight());
        assertTrue(Fixtures.close(new Color(0x12, 0x34, 0x56), jpegBack.getRGB(10, 10), 6));
    }

    @Test
    void refuses_an_image_over_the_size_limit() throws Exception {
        BufferedImage noise = new BufferedImage(200, 200, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(7);
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 200; x++) {
                noise.setRGB(x, y, random.nextInt());
            }
        }
        int size = writer.encode(noise, OutputFormat.PNG).length;
        LogoException e = assertThrows(LogoException.class,
                () -> new LogoFileWriter(size - 1).encode(noise, OutputFormat.PNG));
        assertEquals(Problem.OUTPUT_TOO_LARGE, e.problem());
        assertTrue(e.getMessage().contains(size + " bytes"), e.getMessage());
        new LogoFileWriter(size).encode(noise, OutputFormat.PNG);
        assertEquals(4 * 1024 * 1024, LogoFileWriter.MAX_OUTPUT_BYTES);
    }

    @Test
    void replaces_a_file_whole_and_leaves_no_temporary_file() throws Exception {
        Path target = dir.resolve("logo.png");
        Files.write(target, new byte[] {1, 2, 3});
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-rw-r--"));
        byte[] content = new byte[100_000];
        new Random(1).nextBytes(content);
        writer.writeAtomically(content, target);
        assertArrayEquals(content, Files.readAllBytes(target));
        assertEquals("rw-rw-r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)),
                "keeps the mode of the file it replaces");
        assertEquals(List.of(target), list());
    }

    @Test
    void makes_a_new_file_readable_by_all() throws Exception {
        Path target = dir.resolve("new.png");
        writer.writeAtomically(new byte[] {9}, target);
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    }

    @Test
    void fails_clearly_when_the_folder_is_missing_or_the_target_is_a_folder() throws Exception {
        LogoException missing = assertThrows(LogoException.class,
                () -> writer.writeAtomically(new byte[] {1}, dir.resolve("no/such/logo.png")));
        assertEquals(Problem.WRITE_FAILED, missing.problem());
        Path folder = Files.createDirectory(dir.resolve("logo.png"));
        LogoException isFolder = assertThrows(LogoException.class, () -> writer.writeAtomically(new byte[] {1}, folder));
        assertEquals(Problem.WRITE_FAILED, isFolder.problem());
        assertEquals(List.of(folder), list(), "no temporary file left");
    }

    private List<Path> list() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
