package com.oviron.callidus.agent.update;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * The daily local-time window in which an update may be installed, written {@code "HH:mm-HH:mm"}: the start
 * is inside, the end is not. A window whose end is before its start crosses midnight ({@code "22:00-02:00"}
 * is 22:00 to 01:59:59); equal start and end ({@code "00:00-00:00"}) means all day.
 */
public record MaintenanceWindow(LocalTime start, LocalTime end) {
    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm")
            .withResolverStyle(java.time.format.ResolverStyle.STRICT);

    public MaintenanceWindow {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
    }

    /** @throws IllegalArgumentException with the text and the expected form */
    public static MaintenanceWindow parse(String text) {
        String[] parts = text == null ? new String[0] : text.split("-", -1);
        if (parts.length != 2 || parts[0].length() != 5 || parts[1].length() != 5) {
            throw new IllegalArgumentException("maintenance window must be HH:mm-HH:mm (local time), got '" + text + "'");
        }
        try {
            return new MaintenanceWindow(LocalTime.parse(parts[0], HH_MM), LocalTime.parse(parts[1], HH_MM));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("maintenance window must be HH:mm-HH:mm (local time), got '" + text
                    + "'", e);
        }
    }

    public boolean contains(LocalTime t) {
        if (start.equals(end)) {
            return true;
        }
        if (start.isBefore(end)) {
            return !t.isBefore(start) && t.isBefore(end);
        }
        return !t.isBefore(start) || t.isBefore(end);
    }

    @Override
    public String toString() {
        return HH_MM.format(start) + "-" + HH_MM.format(end);
    }
}
