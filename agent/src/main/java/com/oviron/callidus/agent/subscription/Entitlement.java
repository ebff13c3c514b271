package com.oviron.callidus.agent.subscription;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * What the subscription allows at one instant: a pure function of the token and the trusted time
 * ({@link #decide}). The rules (docs/protocol.md, "Decision rules"), all on UTC calendar days:
 * <ul>
 *   <li>the free year ends on {@code purchase_date.plusMonths(12)} (java.time: the same day of the month a
 *       year later, or the month's last day if it has no such day: 2024-02-29 gives 2025-02-28);</li>
 *   <li>the Service Manager's last day ({@link #serviceManagerEnd}) is the later of the free year's end and
 *       {@code paid_until.service_manager}; both are inclusive: the unit is {@link ServiceManagerState#ACTIVE}
 *       during the whole of that day;</li>
 *   <li>the {@code grace_days} days after it are {@link ServiceManagerState#GRACE}; the day after the last
 *       grace day is the first {@link ServiceManagerState#LAPSED} day;</li>
 *   <li>a day before the purchase date counts as ACTIVE (a unit prepared before its sale date is not
 *       penalised);</li>
 *   <li>Extended Warranty counts only on a day the Service Manager is ACTIVE (not in its grace) and on or
 *       before {@code paid_until.extended_warranty};</li>
 *   <li>cloud services are allowed in ACTIVE and GRACE; software updates too, but only while the clock is
 *       trusted ({@link TrustedClock});</li>
 *   <li>the renewal reminder is due from {@value #REMINDER_DAYS} days before the Service Manager's last day
 *       (the offer asks for payment at least 30 days before the period ends) and stays due in GRACE and
 *       LAPSED.</li>
 * </ul>
 *
 * @param serviceManager          the state
 * @param serviceManagerEnd       the last ACTIVE day (absent without a token)
 * @param cloudServicesUntil      the last GRACE day: the last day with cloud services (absent without a token)
 * @param extendedWarrantyActive  whether Extended Warranty counts today
 * @param extendedWarrantyUntil   {@code paid_until.extended_warranty}, if ever bought
 * @param cloudServicesAllowed    ACTIVE or GRACE
 * @param updatesAllowed          cloud services allowed and the clock trusted
 * @param reminderDue             whether to remind the customer to renew
 * @param daysUntilEnd            days from today to {@code serviceManagerEnd}: 0 on the last active day,
 *                                negative after it (0 without a token)
 */
public record Entitlement(ServiceManagerState serviceManager, Optional<LocalDate> serviceManagerEnd,
                          Optional<LocalDate> cloudServicesUntil, boolean extendedWarrantyActive,
                          Optional<LocalDate> extendedWarrantyUntil, boolean cloudServicesAllowed,
                          boolean updatesAllowed, boolean reminderDue, long daysUntilEnd) {
    /** The Service Manager is free for this many months from the purchase date. */
    public static final int FREE_MONTHS = 12;
    /** The renewal reminder starts this many days before the Service Manager's last day. */
    public static final int REMINDER_DAYS = 30;

    public Entitlement {
        Objects.requireNonNull(serviceManager, "serviceManager");
        Objects.requireNonNull(serviceManagerEnd, "serviceManagerEnd");
        Objects.requireNonNull(cloudServicesUntil, "cloudServicesUntil");
        Objects.requireNonNull(extendedWarrantyUntil, "extendedWarrantyUntil");
    }

    /**
     * @param token        the installed token, if any
     * @param trustedNow   the time to decide at ({@link TrustedClock.Reading#trustedNow()})
     * @param clockTrusted false while a clock jump back is unresolved: updates are refused
     */
    public static Entitlement decide(Optional<SubscriptionToken> token, Instant trustedNow, boolean clockTrusted) {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(trustedNow, "trustedNow");
        if (token.isEmpty()) {
            return new Entitlement(ServiceManagerState.NO_TOKEN, Optional.empty(), Optional.empty(), false,
                    Optional.empty(), false, false, false, 0);
        }
        SubscriptionToken t = token.get();
        LocalDate today = LocalDate.ofInstant(trustedNow, ZoneOffset.UTC);
        LocalDate end = serviceManagerEnd(t);
        LocalDate lastGraceDay = end.plusDays(t.graceDays());
        ServiceManagerState state = !today.isAfter(end) ? ServiceManagerState.ACTIVE
                : !today.isAfter(lastGraceDay) ? ServiceManagerState.GRACE
                : ServiceManagerState.LAPSED;
        boolean warranty = state == ServiceManagerState.ACTIVE
                && t.extendedWarrantyPaidUntil().map(d -> !today.isAfter(d)).orElse(false);
        boolean cloud = state != ServiceManagerState.LAPSED;
        long daysUntilEnd = ChronoUnit.DAYS.between(today, end);
        return new Entitlement(state, Optional.of(end), Optional.of(lastGraceDay), warranty,
                t.extendedWarrantyPaidUntil(), cloud, cloud && clockTrusted, daysUntilEnd <= REMINDER_DAYS,
                daysUntilEnd);
    }

    /** The last ACTIVE day: the later of the free year's end and the paid-until date. */
    public static LocalDate serviceManagerEnd(SubscriptionToken t) {
        LocalDate freeEnd = t.purchaseDate().plusMonths(FREE_MONTHS);
        return t.serviceManagerPaidUntil().filter(d -> d.isAfter(freeEnd)).orElse(freeEnd);
    }
}
