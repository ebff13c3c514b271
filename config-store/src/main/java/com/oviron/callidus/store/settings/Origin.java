package com.oviron.callidus.store.settings;

import java.util.Locale;

/** Where a settings version came from; travels in lower case in backup messages. */
public enum Origin {
    /** Changed on the unit: its own user interface or the field console wrote the file. */
    LOCAL,
    /** Put by the cloud ({@code settings.put}), after the three-way merge. */
    CLOUD,
    /** Replaced as a whole by {@code settings.restore} (replacement unit, copy from another room). */
    RESTORE,
    /** Changed by new clinic-wide defaults ({@code settings.defaults}). */
    DEFAULTS;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The origin named by {@link #wire()}; throws IllegalArgumentException for anything else. */
    public static Origin fromWire(String wire) {
        for (Origin o : values()) {
            if (o.wire().equals(wire)) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown settings origin " + wire);
    }
}
