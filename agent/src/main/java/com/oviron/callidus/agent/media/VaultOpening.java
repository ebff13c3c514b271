package com.oviron.callidus.agent.media;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tinylog.Logger;

/**
 * What {@link XrayVault} does at start-up: removes temp files an interrupted write left (in the vault folder,
 * and its own in the viewer folder), reads every vault file's header into the index, and sets aside files it
 * cannot read (damaged, or from another key) for service.
 */
final class VaultOpening {
    private static final Pattern VAULT_FILE = Pattern.compile("([0-9a-f]{24})\\.xrv");
    private static final Pattern VIEWER_TEMP = Pattern.compile("\\.\\d{8}-\\d{6}_[0-9a-f]{8}_.*\\.tmp");

    private VaultOpening() {
    }

    static Path markerFile(XraySettings settings, String id) {
        return settings.vaultFolder().resolve(id + ".delivered");
    }

    static void open(XraySettings settings, VaultKey key, DurableFiles files, Map<String, XrayRecord> records,
                     Map<String, Long> fileBytes, Map<Path, Instant> damaged) throws XrayVaultException {
        try {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(settings.vaultFolder())) {
                for (Path p : s) {
                    String n = p.getFileName().toString();
                    if (n.startsWith(".") && n.endsWith(".tmp")) {
                        files.deleteIfExists(p);
                        Logger.info("x-ray vault temp file from an interrupted write removed file={}", n);
                        continue;
                    }
                    Matcher m = VAULT_FILE.matcher(n);
                    if (m.matches()) {
                        readOne(settings, key, m.group(1), p, records, fileBytes, damaged);
                    }
                }
            }
            try (DirectoryStream<Path> s = Files.newDirectoryStream(settings.vaultFolder(), "*.delivered")) {
                for (Path p : s) {
                    String id = p.getFileName().toString().replace(".delivered", "");
                    if (!records.containsKey(id)) {
                        files.deleteIfExists(p);
                    }
                }
            }
            // only our own temp files: the viewer software may keep its own there
            try (DirectoryStream<Path> s = Files.newDirectoryStream(settings.viewerFolder(),
                    p -> VIEWER_TEMP.matcher(p.getFileName().toString()).matches())) {
                for (Path p : s) {
                    files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new XrayVaultException("x-ray vault folder cannot be read: " + e.getMessage(), e);
        }
    }

    private static void readOne(XraySettings settings, VaultKey key, String id, Path file,
                                Map<String, XrayRecord> records, Map<String, Long> fileBytes,
                                Map<Path, Instant> damaged) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            VaultFormat.Header h = VaultFormat.readHeader(channel, key, "x-ray " + id);
            Optional<Instant> delivered = Optional.empty();
            Path marker = markerFile(settings, id);
            if (Files.isRegularFile(marker)) {
                try {
                    delivered = Optional.of(Instant.ofEpochMilli(Long.parseLong(Files.readString(marker).trim())));
                } catch (NumberFormatException e) {
                    delivered = Optional.of(Files.getLastModifiedTime(marker).toInstant());
                }
            }
            records.put(id, new XrayRecord(id, h.note().name(), h.plainSize(), h.sha256Hex(), h.note().storedAt(),
                    h.note().direction(), delivered));
            fileBytes.put(id, Files.size(file));
        } catch (IOException e) {
            damaged.put(file, Files.getLastModifiedTime(file).toInstant());
            Logger.error("x-ray vault file unreadable, kept until retention error={}", e.getMessage());
        }
    }
}
