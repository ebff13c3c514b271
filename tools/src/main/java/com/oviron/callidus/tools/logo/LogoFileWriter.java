package com.oviron.callidus.tools.logo;

import com.oviron.callidus.tools.logo.LogoException.Problem;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.Set;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Encodes a composed logo and writes it so that the file is either the old one or the whole new one, never a
 * part: a temporary file in the same folder, flushed to disk, renamed over the target, and the folder flushed.
 * The encoded image must not be larger than the unit's display accepts ({@link #MAX_OUTPUT_BYTES}).
 */
public final class LogoFileWriter {
    /** The display image validator's limit. */
    public static final int MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
    public static final float JPEG_QUALITY = 0.92f;

    private final int maxBytes;

    public LogoFileWriter() {
        this(MAX_OUTPUT_BYTES);
    }

    LogoFileWriter(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * Encodes the image; throws {@link Problem#OUTPUT_TOO_LARGE} when it is over the display's limit.
     */
    public byte[] encode(BufferedImage image, OutputFormat format) throws LogoException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 * 1024);
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format.imageIoName());
        if (!writers.hasNext()) {
            throw new LogoException(Problem.WRITE_FAILED, "this Java has no " + format.imageIoName() + " encoder");
        }
        ImageWriter writer = writers.next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (format == OutputFormat.JPEG) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(JPEG_QUALITY);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new LogoException(Problem.WRITE_FAILED, "cannot encode the image as " + format.imageIoName() + ": "
                    + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
        if (bytes.size() > maxBytes) {
            throw new LogoException(Problem.OUTPUT_TOO_LARGE, "the " + format.imageIoName() + " image is "
                    + bytes.size() + " bytes, more than the display's limit of " + maxBytes + " bytes; try --format"
                    + " jpeg or a simpler logo");
        }
        return bytes.toByteArray();
    }

    /** Writes the bytes to {@code target} atomically; the folder must exist. */
    public void writeAtomically(byte[] content, Path target) throws LogoException {
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new LogoException(Problem.WRITE_FAILED, "cannot write " + target + ": folder " + folder
                    + " does not exist");
        }
        if (Files.isDirectory(absolute)) {
            throw new LogoException(Problem.WRITE_FAILED, "cannot write " + target + ": it is a folder");
        }
        Path temp = null;
        try {
            temp = Files.createTempFile(folder, "." + absolute.getFileName() + ".", ".tmp");
            setReadableByAll(temp, absolute);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            move(temp, absolute);
            temp = null;
            syncFolder(folder);
        } catch (IOException e) {
            throw new LogoException(Problem.WRITE_FAILED, "cannot write " + target + ": " + e, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the write already failed; that error is the one to report
                }
            }
        }
    }

    /** A temporary file is private (rw-------); the logo is not a secret: keep the old file's mode, or rw-r--r--. */
    private static void setReadableByAll(Path temp, Path target) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(temp, PosixFileAttributeView.class);
        if (view == null) {
            return;
        }
        Set<PosixFilePermission> mode = Files.exists(target)
                ? Files.getPosixFilePermissions(target) : PosixFilePermissions.fromString("rw-r--r--");
        view.setPermissions(mode);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + to.getParent() + " cannot rename atomically", e);
        }
    }

    /** Makes the rename itself durable. Some file systems cannot open a folder for this; the rename is done. */
    private static void syncFolder(Path folder) throws IOException {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win")) {
                throw e;
            }
        }
    }
}
