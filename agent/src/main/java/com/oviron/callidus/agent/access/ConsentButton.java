package com.oviron.callidus.agent.access;

import com.oviron.callidus.hal.GpioPort;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * The consent button at the unit (GPIO input {@code access.consentButton}): held for {@code hold} (default
 * {@value #DEFAULT_HOLD_SECONDS} s) it grants remote support for the default time, or revokes the consent in
 * force. A shorter press does nothing, so that brushing against it changes nothing. The GPIO listener only
 * starts or cancels a timer on the access timer's thread, which then reads the input again.
 */
public final class ConsentButton {
    static final int DEFAULT_HOLD_SECONDS = 2;
    public static final Duration DEFAULT_HOLD = Duration.ofSeconds(DEFAULT_HOLD_SECONDS);

    private final GpioPort gpio;
    private final String input;
    private final Duration hold;
    private final Consent consent;
    private final ScheduledExecutorService timer;
    private ScheduledFuture<?> pending;

    private ConsentButton(GpioPort gpio, String input, Duration hold, Consent consent,
                          ScheduledExecutorService timer) {
        this.gpio = gpio;
        this.input = input;
        this.hold = hold;
        this.consent = consent;
        this.timer = timer;
    }

    /** Watches {@code input} of {@code gpio}. */
    public static ConsentButton watch(GpioPort gpio, String input, Duration hold, Consent consent,
                                      ScheduledExecutorService timer) {
        ConsentButton b = new ConsentButton(Objects.requireNonNull(gpio, "gpio"), Objects.requireNonNull(input, "input"),
                Objects.requireNonNull(hold, "hold"), Objects.requireNonNull(consent, "consent"),
                Objects.requireNonNull(timer, "timer"));
        gpio.addListener((name, active, at) -> {
            if (name.equals(input)) {
                b.changed(active);
            }
        });
        Logger.info("consent button watched input={} holdMs={}", input, hold.toMillis());
        return b;
    }

    private synchronized void changed(boolean active) {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
        if (active) {
            pending = timer.schedule(this::held, hold.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void held() {
        synchronized (this) {
            pending = null;
        }
        boolean stillPressed;
        try {
            stillPressed = gpio.isActive(input);
        } catch (RuntimeException e) {
            Logger.warn("consent button not read error={}", e.getMessage());
            return;
        }
        if (!stillPressed) {
            return;
        }
        Origin origin = Origin.of(Origin.GPIO);
        if (consent.active()) {
            consent.revoke("button", "-", origin);
        } else {
            consent.grant(consent.defaultLength(), "button", "-", origin).ifPresent(why ->
                    Logger.warn("consent by button not granted reason={}", why));
        }
    }
}
