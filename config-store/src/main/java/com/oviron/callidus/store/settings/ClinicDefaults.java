package com.oviron.callidus.store.settings;

import java.util.Objects;

/**
 * The clinic-wide defaults for one settings document, as last received: the base of the next defaults merge.
 *
 * @param clinic   the clinic's id as the cloud sent it
 * @param name     the document they apply to
 * @param version  1, 2, 3... per document name
 * @param sha256   lower-case hex SHA-256 of {@code content}
 * @param content  the defaults document (UTF-8 JSON object)
 * @param atMillis when they were applied (epoch ms, unit's clock)
 */
public record ClinicDefaults(String clinic, String name, long version, String sha256, byte[] content,
                             long atMillis) {
    public ClinicDefaults {
        Objects.requireNonNull(clinic, "clinic");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(content, "content");
        content = content.clone();
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClinicDefaults d && clinic.equals(d.clinic) && name.equals(d.name) && version == d.version
                && sha256.equals(d.sha256) && java.util.Arrays.equals(content, d.content) && atMillis == d.atMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(clinic, name, version);
    }

    @Override
    public String toString() {
        return "ClinicDefaults[clinic=" + clinic + ", name=" + name + ", version=" + version + ", bytes="
                + content.length + "]";
    }
}
