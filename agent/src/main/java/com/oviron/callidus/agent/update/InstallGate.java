package com.oviron.callidus.agent.update;

import java.time.Clock;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Whether an install may start now: never while a treatment is in progress (the HAL's treatment detector),
 * and only inside the maintenance window in the unit's local time zone.
 */
public final class InstallGate {
    /** Reasons for waiting, as reported in the {@code waiting} status. */
    public static final String TREATMENT = "treatment-in-progress";
    public static final String WINDOW = "maintenance-window";

    private final BooleanSupplier treatmentInProgress;
    private final MaintenanceWindow window;
    private final ZoneId zone;
    private final Clock clock;

    public InstallGate(BooleanSupplier treatmentInProgress, MaintenanceWindow window, ZoneId zone, Clock clock) {
        this.treatmentInProgress = Objects.requireNonNull(treatmentInProgress, "treatmentInProgress");
        this.window = Objects.requireNonNull(window, "window");
        this.zone = Objects.requireNonNull(zone, "zone");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Empty when the install may start now, else what it waits for ({@link #TREATMENT} or {@link #WINDOW}). */
    public Optional<String> waitingFor() {
        if (treatmentInProgress.getAsBoolean()) {
            return Optional.of(TREATMENT);
        }
        LocalTime local = clock.instant().atZone(zone).toLocalTime();
        if (!window.contains(local)) {
            return Optional.of(WINDOW);
        }
        return Optional.empty();
    }

    public MaintenanceWindow window() {
        return window;
    }

    public ZoneId zone() {
        return zone;
    }
}
