package com.oviron.callidus.hal;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One measured quantity of the unit: supply voltage, main air pressure, ...
 *
 * @param id   stable machine name used on the wire and in the store (lower case, digits, '_'; at most 32 chars)
 * @param name human-readable name for consoles and reports
 * @param unit SI-style unit symbol ("V", "A", "bar", "kPa", "°C")
 */
public record Channel(String id, String name, String unit) {
    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9_]{0,31}");

    public Channel {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(unit, "unit");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("channel id '" + id + "' must match " + ID.pattern());
        }
    }
}
