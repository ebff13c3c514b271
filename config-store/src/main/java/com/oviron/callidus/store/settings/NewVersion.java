package com.oviron.callidus.store.settings;

import java.util.Objects;

/**
 * A change to record: new content for a document, or its deletion.
 *
 * @param content the new bytes; empty and ignored for a deletion
 */
public record NewVersion(String name, byte[] content, boolean deleted, Origin origin, String note) {
    public NewVersion {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(note, "note");
        if (deleted && content.length > 0) {
            throw new IllegalArgumentException("a deletion has no content");
        }
        content = content.clone();
    }

    public static NewVersion of(String name, byte[] content, Origin origin, String note) {
        return new NewVersion(name, content, false, origin, note);
    }

    public static NewVersion deletion(String name, Origin origin, String note) {
        return new NewVersion(name, new byte[0], true, origin, note);
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NewVersion v && name.equals(v.name) && java.util.Arrays.equals(content, v.content)
                && deleted == v.deleted && origin == v.origin && note.equals(v.note);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, deleted, origin);
    }

    @Override
    public String toString() {
        return "NewVersion[name=" + name + ", bytes=" + content.length + ", deleted=" + deleted + ", origin="
                + origin.wire() + "]";
    }
}
