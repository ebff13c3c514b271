package com.oviron.callidus.agent.media;

import com.oviron.callidus.store.folders.ConfinedFolder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
    /** Files looked at per folder at most: far more than the quota holds. */
    static final int MAX_ENTRIES = 1_000_000;
    private static final Pattern VAULT_FILE = Pattern.compile("([0-9a-f]{24})\\.xrv");
    private static final Pattern MARKER = Pattern.compile("([0-9a-f]{24})\\.delivered");
    private static final Pattern VIEWER_TEMP = Pattern.compile("\\.\\d{8}-\\d{6}_[0-9a-f]{8}_.*\\.tmp");

    private VaultOpening() {
    }

    static String markerName(String id) {
        return id + ".delivered";
    }

    static void open(ConfinedFolder vault, ConfinedFolder viewer, VaultKey key, DurableFiles files,
                     Map<String, XrayRecord> records, Map<String, Long> fileBytes, Map<String, Instant> damaged)
            throws XrayVaultException {
        try {
            for (ConfinedFolder.Entry e : vault.list("", MAX_ENTRIES)) {
                String n = e.name();
                if (n.startsWith(".") && n.endsWith(".tmp")) {
                    files.deleteIfExists(vault, n);
                    Logger.info("x-ray vault temp file from an interrupted write removed file={}", n);
                    continue;
                }
                Matcher m = VAULT_FILE.matcher(n);
                if (m.matches()) {
                    readOne(vault, key, m.group(1), e, records, fileBytes, damaged);
                }
            }
            for (ConfinedFolder.Entry e : vault.list("", MAX_ENTRIES)) {
                Matcher m = MARKER.matcher(e.name());
                if (m.matches() && !records.containsKey(m.group(1))) {
                    files.deleteIfExists(vault, e.name());
                }
            }
            // only our own temp files: the viewer software may keep its own there
            for (ConfinedFolder.Entry e : viewer.list("", MAX_ENTRIES)) {
                if (VIEWER_TEMP.matcher(e.name()).matches()) {
                    if (e.type() != ConfinedFolder.Type.FILE) {
                        viewer.refuse(e.name(), "was " + e.type().describe() + " named like the agent's temp file;"
                                + " removed, never followed");
                    }
                    files.deleteIfExists(viewer, e.name());
                }
            }
        } catch (IOException e) {
            throw new XrayVaultException("x-ray vault folder cannot be read: " + e.getMessage(), e);
        }
    }

    private static void readOne(ConfinedFolder vault, VaultKey key, String id, ConfinedFolder.Entry entry,
                                Map<String, XrayRecord> records, Map<String, Long> fileBytes,
                                Map<String, Instant> damaged) {
        try (ConfinedFolder.OpenFile file = vault.open(entry.name(), Long.MAX_VALUE)) {
            VaultFormat.Header h = VaultFormat.readHeader(file.channel(), key, "x-ray " + id);
            Optional<Instant> delivered = Optional.empty();
            Optional<ConfinedFolder.Entry> marker = vault.entry(markerName(id));
            if (marker.isPresent() && marker.get().type() == ConfinedFolder.Type.FILE) {
                try {
                    delivered = Optional.of(Instant.ofEpochMilli(Long.parseLong(new String(
                            vault.read(markerName(id), 64), StandardCharsets.US_ASCII).trim())));
                } catch (NumberFormatException | IOException e) {
                    delivered = Optional.of(marker.get().modified().toInstant());
                }
            }
            records.put(id, new XrayRecord(id, h.note().name(), h.plainSize(), h.sha256Hex(), h.note().storedAt(),
                    h.note().direction(), delivered));
            fileBytes.put(id, file.entry().size());
        } catch (IOException e) {
            damaged.put(entry.name(), entry.modified().toInstant());
            Logger.error("x-ray vault file unreadable, kept until retention error={}", e.getMessage());
        }
    }
}
