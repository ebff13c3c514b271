package com.oviron.callidus.agent.systemd;

import java.util.Optional;

/** One thing that must hold for the service watchdog to be fed, e.g. "the sampler makes progress". */
@FunctionalInterface
public interface LivenessCheck {
    /** The problem, in a few words for the log and systemd's status line; empty when all is well. */
    Optional<String> problem();
}
