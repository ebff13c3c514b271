package com.oviron.callidus.agent.media;

import com.oviron.callidus.cloud.files.FileKind;
import com.oviron.callidus.cloud.files.FileRejectedException;
import com.oviron.callidus.cloud.files.ReceivedFileHandler;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.tinylog.Logger;

/**
 * Takes an X-ray image that arrived from the cloud: checks by its magic bytes that it is a format the
 * viewer reads ({@link #ACCEPTED}), encrypts it into the {@link XrayVault}, delivers a copy to the viewer
 * folder and deletes the plain received file. If the copy cannot be delivered, the vault copy is removed
 * too and the file is refused: the cloud sees one outcome, never half of one.
 */
public final class XrayReceiver implements ReceivedFileHandler {
    /** Formats accepted as X-ray images. */
    public static final Set<ImageFormat> ACCEPTED = Set.copyOf(EnumSet.of(ImageFormat.DICOM, ImageFormat.PNG,
            ImageFormat.JPEG, ImageFormat.TIFF));

    private final XrayVault vault;

    public XrayReceiver(XrayVault vault) {
        this.vault = vault;
    }

    /** The format of a file if it is one accepted as an X-ray image; empty otherwise. */
    static Optional<ImageFormat> xrayFormat(Path file) throws IOException {
        return ImageFormat.sniff(DisplayImageValidator.readHead(file)).filter(ACCEPTED::contains);
    }

    /** The format of an open file if it is one accepted as an X-ray image; empty otherwise. */
    static Optional<ImageFormat> xrayFormat(FileChannel file) throws IOException {
        return ImageFormat.sniff(Sha256.head(file)).filter(ACCEPTED::contains);
    }

    static String acceptedList() {
        return ACCEPTED.stream().map(ImageFormat::wire).sorted().collect(Collectors.joining(", "));
    }

    @Override
    public void accept(FileKind kind, String name, Path verifiedFile) throws FileRejectedException {
        if (kind != FileKind.XRAY) {
            throw new FileRejectedException("the x-ray receiver takes xray files, not " + kind.wire());
        }
        ImageFormat format;
        try {
            if (Files.readAttributes(verifiedFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size() == 0) {
                throw new FileRejectedException("empty file");
            }
            format = xrayFormat(verifiedFile).orElseThrow(() -> new FileRejectedException(
                    "not an x-ray image format the unit accepts (accepted: " + acceptedList() + ")"));
        } catch (IOException e) {
            throw new FileRejectedException("cannot read the file: " + e.getMessage(), e);
        }
        XrayRecord record;
        try {
            record = vault.store(verifiedFile, name, XrayRecord.Direction.IN);
        } catch (XrayVaultException e) {
            Logger.warn("x-ray from the cloud refused reason={}", e.getMessage());
            throw new FileRejectedException(e.getMessage(), e);
        }
        try {
            vault.deliverToViewer(record.id());
        } catch (XrayVaultException e) {
            try {
                vault.delete(record.id());
            } catch (XrayVaultException again) {
                Logger.error("x-ray not delivered and not removed from the vault id={} error={}", record.id(),
                        again.getMessage());
            }
            throw new FileRejectedException(e.getMessage(), e);
        }
        try {
            Files.deleteIfExists(verifiedFile);
        } catch (IOException e) {
            Logger.warn("plain received x-ray not deleted id={} error={}", record.id(), e.getMessage());
        }
        Logger.info("x-ray from the cloud stored and delivered id={} format={} bytes={}", record.id(), format.wire(),
                record.size());
    }
}
