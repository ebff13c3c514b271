package com.oviron.callidus.agent;

import com.oviron.callidus.agent.commands.UnitCommands;
import com.oviron.callidus.agent.diagnostics.Diagnostics;
import com.oviron.callidus.agent.subscription.SubscriptionService;
import com.oviron.callidus.agent.subscription.TrustedClock;
import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.hal.GpioPort;
import com.oviron.callidus.hal.SensorPort;
import com.oviron.callidus.hal.TreatmentDetector;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.TelemetryOutbox;
import com.oviron.callidus.store.sqlite.SqliteTelemetryOutbox;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Connects {@link Diagnostics} to the agent's parts: the sampler's taps, the commands, the diagnostics
 * snapshot's sections, the outbox's check and the subscription's trusted clock. One call from {@link Agent}.
 */
final class DiagnosticsWiring {
    private DiagnosticsWiring() {
    }

    static Diagnostics open(AgentConfig config, SensorPort port, TelemetryOutbox outbox, MqttConnection link,
                            Optional<GpioPort> gpio, Optional<TreatmentDetector> treatment, Sampler sampler,
                            CommandChannel commands, UnitCommands unit,
                            Optional<SubscriptionService> subscription, Clock clock) {
        Supplier<String> outboxCheck = outbox instanceof SqliteTelemetryOutbox sqlite ? () -> {
            try {
                return sqlite.quickCheck();
            } catch (StoreException e) {
                return e.getMessage();
            }
        } : () -> "ok";
        Diagnostics d;
        try {
            d = Diagnostics.open(config.diagnostics(), new Diagnostics.Parts(config.device().id(),
                    AgentVersion.current(), port.channels(), outbox, outboxCheck, gpio,
                    !config.gpio().provider().equals("none") && !config.gpio().lines().isEmpty(),
                    () -> treatment.map(TreatmentDetector::inProgress).orElse(false), link, sampler::newest,
                    sampler::droppedInMemory, () -> subscription.flatMap(s -> clockProblem(s.status().clock())),
                    Agent.stateFolder(config), clock));
        } catch (StoreException | IOException e) {
            throw new IllegalStateException("cannot open the diagnostics: " + e.getMessage(), e);
        }
        d.registerOn(commands);
        sampler.tap(d::onSample);
        sampler.onFailedCycle(d::onFailedCycle);
        unit.addSection("openAlarms", d::openAlarmsJson);
        unit.addSection("usage", d::usageJson);
        unit.addSection("selftest", d::selftestJson);
        return d;
    }

    /** Why the unit's clock is not to be trusted now, from the subscription's trusted time. */
    static Optional<String> clockProblem(TrustedClock.Reading r) {
        if (r.clockTampered()) {
            return Optional.of("the clock was set back; a fresh trusted time is needed (a token or a command)");
        }
        Duration behind = Duration.between(r.localNow(), r.trustedNow());
        if (behind.compareTo(TrustedClock.DEFAULT_TOLERANCE) > 0) {
            return Optional.of("the local clock is " + behind.toMinutes() + " minutes behind the trusted time");
        }
        return Optional.empty();
    }
}
