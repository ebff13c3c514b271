package com.oviron.callidus.store.settings;

import java.util.Objects;

/**
 * One stored version of a settings document.
 *
 * @param name     the document's relative path in the settings folder, e.g. {@code users/dr-weiss.json}
 * @param version  1, 2, 3... per document, never reused (also not after the document was deleted)
 * @param sha256   lower-case hex SHA-256 of {@code content}
 * @param content  the file's bytes exactly as written (empty for a deletion)
 * @param origin   who made the change
 * @param atMillis when it was recorded (epoch ms, unit's clock)
 * @param note     free text for service, e.g. the source unit and authorisation fingerprint of a restore
 * @param deleted  the document was removed in this version
 */
public record DocumentVersion(String name, long version, String sha256, byte[] content, Origin origin, long atMillis,
                              String note, boolean deleted) {
    public DocumentVersion {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(note, "note");
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1, got " + version);
        }
        if (deleted && content.length > 0) {
            throw new IllegalArgumentException("a deletion has no content");
        }
        content = content.clone();
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DocumentVersion v && name.equals(v.name) && version == v.version
                && sha256.equals(v.sha256) && java.util.Arrays.equals(content, v.content) && origin == v.origin
                && atMillis == v.atMillis && note.equals(v.note) && deleted == v.deleted;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, version, sha256);
    }

    @Override
    public String toString() {
        return "DocumentVersion[name=" + name + ", version=" + version + ", sha256=" + sha256 + ", bytes="
                + content.length + ", origin=" + origin.wire() + ", deleted=" + deleted + "]";
    }
}
