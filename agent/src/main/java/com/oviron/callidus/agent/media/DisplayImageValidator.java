package com.oviron.callidus.agent.media;

import com.oviron.callidus.cloud.files.FileKind;
import com.oviron.callidus.cloud.files.FileRejectedException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;

/**
 * Checks a logo or screen saver against the {@link DisplaySpec} before anything is installed, cheapest check
 * first: size, real format (magic bytes), for PNG the chunk structure and every CRC, the dimensions from the
 * header (so a huge declared size is refused before any pixel memory is allocated), then a full decode that
 * must finish without error or warning (a truncated JPEG decodes "successfully" with a warning).
 *
 * <p>It reads the received file in the agent's own transfer folder, never through a symbolic link.
 */
final class DisplayImageValidator {
    private static final int IHDR = chunkType("IHDR");
    private static final int IEND = chunkType("IEND");

    private final DisplaySpec spec;

    DisplayImageValidator(DisplaySpec spec) {
        this.spec = spec;
    }

    ValidatedImage validate(FileKind kind, Path file) throws FileRejectedException {
        long size;
        byte[] head;
        String sha256;
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                throw new FileRejectedException("not a plain file");
            }
            size = a.size();
            if (size == 0) {
                throw new FileRejectedException("empty file");
            }
            if (size > spec.maxBytes()) {
                throw new FileRejectedException("too large: " + size + " bytes, the display accepts at most "
                        + spec.maxBytes());
            }
            head = readHead(file);
            sha256 = sha256(file);
        } catch (IOException e) {
            throw new FileRejectedException("cannot read the file: " + e.getMessage(), e);
        }
        ImageFormat format = ImageFormat.sniff(head).orElseThrow(() ->
                new FileRejectedException("not an image format the unit knows (accepted: " + accepted() + ")"));
        if (!spec.acceptedFormats().contains(format)) {
            throw new FileRejectedException("format " + format.wire() + " is not accepted by the display (accepted: "
                    + accepted() + ")");
        }
        if (format == ImageFormat.PNG) {
            checkPngStructure(file);
        }
        int[] dims = decode(kind, format, file);
        return new ValidatedImage(format, dims[0], dims[1], size, sha256);
    }

    private String accepted() {
        return spec.acceptedFormats().stream().map(ImageFormat::wire).sorted().collect(Collectors.joining(", "));
    }

    private void checkDimensions(FileKind kind, int width, int height) throws FileRejectedException {
        if (kind == FileKind.SCREENSAVER) {
            if (width != spec.width() || height != spec.height()) {
                throw new FileRejectedException("wrong dimensions: a screen saver must be exactly " + spec.width()
                        + "x" + spec.height() + ", got " + width + "x" + height);
            }
        } else if (width < 1 || height < 1 || width > spec.width() || height > spec.height()) {
            throw new FileRejectedException("wrong dimensions: a logo must fit within " + spec.width() + "x"
                    + spec.height() + ", got " + width + "x" + height);
        }
    }

    /** Header dimensions first, then pixels; returns {width, height}. */
    private int[] decode(FileKind kind, ImageFormat format, Path file) throws FileRejectedException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.wire());
        if (!readers.hasNext()) {
            throw new FileRejectedException("no decoder for " + format.wire() + " on this unit");
        }
        ImageReader reader = readers.next();
        try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
            // ignoreMetadata: compressed text and colour-profile chunks are never inflated
            reader.setInput(in, true, true);
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            checkDimensions(kind, width, height);
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            var image = reader.read(0);
            if (!warnings.isEmpty()) {
                throw new FileRejectedException("corrupt or truncated " + format.wire() + ": " + warnings.get(0));
            }
            if (image.getWidth() != width || image.getHeight() != height) {
                throw new FileRejectedException("corrupt " + format.wire() + ": header says " + width + "x" + height
                        + ", pixels are " + image.getWidth() + "x" + image.getHeight());
            }
            return new int[] {width, height};
        } catch (FileRejectedException e) {
            throw e;
        } catch (EOFException e) {
            throw new FileRejectedException("truncated " + format.wire() + ": the file ends inside the image", e);
        } catch (IOException | RuntimeException e) {
            // decoders throw all sorts on hostile input (IIOException, IndexOutOfBounds, IllegalArgument)
            throw new FileRejectedException("corrupt " + format.wire() + ": cannot decode (" + e.getMessage() + ")",
                    e);
        } finally {
            reader.dispose();
        }
    }

    /** Walks every chunk: lengths within the file, CRCs right, IHDR first, IEND last, nothing after it. */
    private static void checkPngStructure(Path file) throws FileRejectedException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file,
                LinkOption.NOFOLLOW_LINKS)))) {
            long remaining = Files.size(file) - 8;
            in.readFully(new byte[8]);
            boolean first = true;
            byte[] buffer = new byte[8192];
            while (true) {
                if (remaining < 12) {
                    throw new FileRejectedException("truncated png: ends without an IEND chunk");
                }
                long length = in.readInt() & 0xffffffffL;
                int type = in.readInt();
                remaining -= 12;
                if (length > remaining) {
                    throw new FileRejectedException("truncated png: chunk " + typeName(type) + " declares " + length
                            + " bytes, " + remaining + " remain");
                }
                if (first && (type != IHDR || length != 13)) {
                    throw new FileRejectedException("corrupt png: the first chunk is not a 13-byte IHDR");
                }
                first = false;
                CRC32 crc = new CRC32();
                crc.update(type >>> 24);
                crc.update(type >>> 16);
                crc.update(type >>> 8);
                crc.update(type);
                long left = length;
                while (left > 0) {
                    int n = (int) Math.min(buffer.length, left);
                    in.readFully(buffer, 0, n);
                    crc.update(buffer, 0, n);
                    left -= n;
                }
                remaining -= length;
                long stored = in.readInt() & 0xffffffffL;
                if (stored != crc.getValue()) {
                    throw new FileRejectedException("corrupt png: CRC of chunk " + typeName(type) + " does not match");
                }
                if (type == IEND) {
                    if (remaining != 0) {
                        throw new FileRejectedException("corrupt png: " + remaining + " bytes after the IEND chunk");
                    }
                    return;
                }
            }
        } catch (EOFException e) {
            throw new FileRejectedException("truncated png", e);
        } catch (IOException e) {
            throw new FileRejectedException("cannot read the file: " + e.getMessage(), e);
        }
    }

    private static String typeName(int type) {
        StringBuilder s = new StringBuilder();
        for (int shift = 24; shift >= 0; shift -= 8) {
            int c = (type >>> shift) & 0xff;
            s.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
        }
        return s.toString();
    }

    private static int chunkType(String name) {
        byte[] b = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
    }

    static byte[] readHead(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return in.readNBytes(ImageFormat.SNIFF_BYTES);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
