package com.oviron.callidus.agent.console;

import com.oviron.callidus.agent.subscription.Entitlement;
import com.oviron.callidus.agent.subscription.SubscriptionStatus;
import java.time.LocalDate;
import java.util.Optional;

/**
 * The console's one-line subscription notice (issue 6: "renewal reminders from 30 days before the end of the
 * paid period, shown on the console"), for {@link FieldConsole#notice} when the subscription changes and for
 * the reminder printed when a technician logs in.
 *
 * <p>There is a notice when the renewal reminder is due ({@link Entitlement#reminderDue()}: from 30 days before
 * the Service Manager's last day, and in grace and after) and when no token is installed; none while the
 * subscription is active and not near its end.
 */
public final class SubscriptionNotices {
    private SubscriptionNotices() {
    }

    /** The notice for {@code status}, or empty when there is nothing to tell. */
    public static Optional<String> of(SubscriptionStatus status) {
        Entitlement e = status.entitlement();
        String end = e.serviceManagerEnd().map(LocalDate::toString).orElse("?");
        String cloudUntil = e.cloudServicesUntil().map(LocalDate::toString).orElse("?");
        return switch (e.serviceManager()) {
            case NO_TOKEN -> Optional.of("[subscription] no subscription token is installed: the cloud services are"
                    + " off (the unit itself works as before); paste one with: token <token>");
            case ACTIVE -> e.reminderDue()
                    ? Optional.of("[subscription] Oviron Service Manager ends on " + end + " (" + days(e.daysUntilEnd())
                            + "); renew to keep the cloud services")
                    : Optional.empty();
            case GRACE -> Optional.of("[subscription] Oviron Service Manager ended on " + end
                    + "; the cloud services continue until " + cloudUntil + "; renew to keep them");
            case LAPSED -> Optional.of("[subscription] Oviron Service Manager ended on " + end
                    + "; the cloud services stopped after " + cloudUntil
                    + " (the unit itself works as before); renew and install the new token");
        };
    }

    private static String days(long days) {
        return days == 0 ? "today" : days == 1 ? "tomorrow" : days + " days";
    }
}
