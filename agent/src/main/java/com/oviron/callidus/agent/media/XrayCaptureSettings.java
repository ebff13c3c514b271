package com.oviron.callidus.agent.media;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The folder where the unit's X-ray sensor software drops captured images.
 *
 * @param captureFolder the folder to watch; files are moved out of it into the vault
 * @param quietPeriod   a file is taken once its size and modification time stayed the same this long
 * @param pollInterval  how often the folder is listed
 */
public record XrayCaptureSettings(Path captureFolder, Duration quietPeriod, Duration pollInterval) {
    public static final Duration DEFAULT_QUIET_PERIOD = Duration.ofSeconds(2);
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

    public XrayCaptureSettings {
        Objects.requireNonNull(captureFolder, "captureFolder");
        Objects.requireNonNull(quietPeriod, "quietPeriod");
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (quietPeriod.isNegative() || quietPeriod.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("x-ray capture quiet period must be 0 to 10 minutes, got "
                    + quietPeriod);
        }
        if (pollInterval.compareTo(Duration.ofMillis(10)) < 0 || pollInterval.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("x-ray capture poll interval must be 10 ms to 10 minutes, got "
                    + pollInterval);
        }
    }

    public static XrayCaptureSettings defaults(Path captureFolder) {
        return new XrayCaptureSettings(captureFolder, DEFAULT_QUIET_PERIOD, DEFAULT_POLL_INTERVAL);
    }
}
