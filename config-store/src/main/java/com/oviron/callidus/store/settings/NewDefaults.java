package com.oviron.callidus.store.settings;

import java.util.Objects;

/** New clinic-wide defaults for one document, to record together with the document versions they caused. */
public record NewDefaults(String clinic, String name, byte[] content) {
    public NewDefaults {
        Objects.requireNonNull(clinic, "clinic");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(content, "content");
        content = content.clone();
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NewDefaults d && clinic.equals(d.clinic) && name.equals(d.name)
                && java.util.Arrays.equals(content, d.content);
    }

    @Override
    public int hashCode() {
        return Objects.hash(clinic, name);
    }
}
