package com.oviron.callidus.agent.media;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where display images go.
 *
 * @param displayFolder the folder the unit's UI reads {@code logo.png} and {@code screensaver.png} from
 * @param stateFolder   the agent's own folder for what it remembers about installed images (original name,
 *                      install time); never read by the UI
 * @param spec          what the display accepts
 */
public record DisplaySettings(Path displayFolder, Path stateFolder, DisplaySpec spec) {
    public DisplaySettings {
        Objects.requireNonNull(displayFolder, "displayFolder");
        Objects.requireNonNull(stateFolder, "stateFolder");
        Objects.requireNonNull(spec, "spec");
        if (displayFolder.toAbsolutePath().normalize().equals(stateFolder.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("display folder and display state folder must differ");
        }
    }
}
