package com.oviron.callidus.agent.media;

import java.time.Instant;
import java.util.Objects;

/**
 * A logo or screen saver in the display folder, as {@code display.get} reports it.
 *
 * @param name        the file name it had when it was sent (the installed file's own name when unknown)
 * @param size        bytes
 * @param sha256      of the file's bytes, lower-case hex
 * @param format      what its magic bytes say
 * @param width       pixels
 * @param height      pixels
 * @param installedAt when the unit installed it (the file's modification time when unknown)
 */
public record InstalledImage(String name, long size, String sha256, ImageFormat format, int width, int height,
                             Instant installedAt) {
    public InstalledImage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(installedAt, "installedAt");
    }
}
