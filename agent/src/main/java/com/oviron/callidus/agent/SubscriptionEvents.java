package com.oviron.callidus.agent;

import com.oviron.callidus.agent.subscription.Entitlement;
import com.oviron.callidus.agent.subscription.SubscriptionStatus;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.TelemetryOutbox;
import java.time.Clock;
import java.util.function.Consumer;
import org.tinylog.Logger;

/**
 * Turns subscription changes into audit events for the cloud (the events stream, docs/protocol.md): a
 * state change ({@code subscription.changed}) and the renewal reminder ({@code subscription.reminder}, from
 * 30 days before the end of the paid period). Events are sent while cloud services are allowed; once the
 * subscription has lapsed they wait in the store until a new token arrives.
 */
final class SubscriptionEvents {
    private SubscriptionEvents() {
    }

    static Consumer<SubscriptionStatus> logAndRecord(TelemetryOutbox outbox, Clock clock) {
        return status -> {
            Entitlement e = status.entitlement();
            String summary = "state=" + e.serviceManager().wire() + " serviceManagerEnd="
                    + e.serviceManagerEnd().map(Object::toString).orElse("none") + " cloudServicesUntil="
                    + e.cloudServicesUntil().map(Object::toString).orElse("none") + " extendedWarranty="
                    + e.extendedWarrantyActive() + " clock=" + status.clock().clockState();
            try {
                outbox.appendEvent(clock.millis(), "subscription.changed", "audit", summary);
                if (e.reminderDue()) {
                    String text = "Oviron Service Manager ends on " + e.serviceManagerEnd().map(Object::toString)
                            .orElse("?") + " (" + e.daysUntilEnd() + " days); renew to keep the cloud services";
                    outbox.appendEvent(clock.millis(), "subscription.reminder", "alarm", text);
                    Logger.warn("subscription renewal reminder {}", text);
                }
            } catch (StoreException ex) {
                Logger.error("subscription event not stored error={}", ex.getMessage());
            }
        };
    }
}
