package com.oviron.callidus.agent.systemd;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What systemd tells a {@code Type=notify} service in its environment: the notify socket and the watchdog
 * interval.
 *
 * @param socket           {@code NOTIFY_SOCKET}: a path, or {@code @name} for the abstract namespace; empty
 *                         when the agent does not run under systemd (or the unit is not {@code Type=notify})
 * @param watchdogInterval {@code WATCHDOG_USEC} ({@code WatchdogSec=}); empty without a watchdog, or when
 *                         {@code WATCHDOG_PID} names another process
 */
public record NotifyEnvironment(Optional<String> socket, Optional<Duration> watchdogInterval) {
    /** The longest watchdog interval taken; systemd allows more, but a day already means "no watchdog". */
    static final Duration MAX_INTERVAL = Duration.ofDays(1);

    public NotifyEnvironment {
        socket = socket.filter(s -> !s.isBlank());
        if (watchdogInterval.isPresent() && (watchdogInterval.get().isNegative() || watchdogInterval.get().isZero())) {
            throw new IllegalArgumentException("watchdog interval must be positive: " + watchdogInterval.get());
        }
    }

    /** Reads {@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC} and {@code WATCHDOG_PID}; bad values mean "none". */
    public static NotifyEnvironment from(Map<String, String> env, long pid) {
        Optional<String> socket = Optional.ofNullable(env.get("NOTIFY_SOCKET"));
        Optional<Duration> interval = Optional.empty();
        String usec = env.get("WATCHDOG_USEC");
        String forPid = env.get("WATCHDOG_PID");
        boolean forUs = forPid == null || forPid.equals(Long.toString(pid));
        if (usec != null && forUs && usec.matches("[0-9]{1,18}")) {
            long micros = Long.parseLong(usec);
            if (micros > 0) {
                Duration d = Duration.ofNanos(Math.min(micros, MAX_INTERVAL.toNanos() / 1000) * 1000);
                interval = Optional.of(d);
            }
        }
        return new NotifyEnvironment(socket, interval);
    }
}
