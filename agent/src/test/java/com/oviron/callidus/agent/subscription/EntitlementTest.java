package com.oviron.callidus.agent.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EntitlementTest {

    private static SubscriptionToken token(String purchase, String smPaidUntil, String ewPaidUntil, int grace) {
        return new SubscriptionToken("iss", "CAL-1", Instant.parse("2024-01-01T00:00:00Z"), 1,
                LocalDate.parse(purchase), Optional.ofNullable(smPaidUntil).map(LocalDate::parse),
                Optional.ofNullable(ewPaidUntil).map(LocalDate::parse), grace, Instant.parse("2024-01-01T00:00:00Z"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # case                                 | purchase   | smPaid     | ewPaid     | now                  | state  | ew    | cloud | remind | daysUntilEnd
            free year, first day                   | 2025-03-10 | -          | -          | 2025-03-10T00:00:00Z | ACTIVE | false | true  | false  | 365
            free year, last day (purchase+12m)     | 2025-03-10 | -          | -          | 2026-03-10T23:59:59Z | ACTIVE | false | true  | true   | 0
            free year, first grace day             | 2025-03-10 | -          | -          | 2026-03-11T00:00:00Z | GRACE  | false | true  | true   | -1
            free year, last grace day (+15)        | 2025-03-10 | -          | -          | 2026-03-25T23:59:59Z | GRACE  | false | true  | true   | -15
            free year, first lapsed day (+16)      | 2025-03-10 | -          | -          | 2026-03-26T00:00:00Z | LAPSED | false | false | true   | -16
            paid-until earlier than free year end  | 2025-03-10 | 2025-06-01 | -          | 2026-03-10T12:00:00Z | ACTIVE | false | true  | true   | 0
            paid until, last active day            | 2025-03-10 | 2027-03-10 | -          | 2027-03-10T23:59:59Z | ACTIVE | false | true  | true   | 0
            paid until, first grace day            | 2025-03-10 | 2027-03-10 | -          | 2027-03-11T00:00:00Z | GRACE  | false | true  | true   | -1
            paid until, last grace day             | 2025-03-10 | 2027-03-10 | -          | 2027-03-25T23:59:59Z | GRACE  | false | true  | true   | -15
            paid until, first lapsed day           | 2025-03-10 | 2027-03-10 | -          | 2027-03-26T00:00:00Z | LAPSED | false | false | true   | -16
            reminder: 31 days before the end       | 2025-03-10 | 2027-03-10 | -          | 2027-02-07T12:00:00Z | ACTIVE | false | true  | false  | 31
            reminder: 30 days before the end       | 2025-03-10 | 2027-03-10 | -          | 2027-02-08T00:00:00Z | ACTIVE | false | true  | true   | 30
            leap purchase: free year ends 02-28    | 2024-02-29 | -          | -          | 2025-02-28T23:59:59Z | ACTIVE | false | true  | true   | 0
            leap purchase: 03-01 is grace          | 2024-02-29 | -          | -          | 2025-03-01T00:00:00Z | GRACE  | false | true  | true   | -1
            leap purchase: last grace day 03-15    | 2024-02-29 | -          | -          | 2025-03-15T12:00:00Z | GRACE  | false | true  | true   | -15
            leap purchase: first lapsed day 03-16  | 2024-02-29 | -          | -          | 2025-03-16T00:00:00Z | LAPSED | false | false | true   | -16
            paid until a leap day, that day active | 2023-01-15 | 2028-02-29 | -          | 2028-02-29T23:59:59Z | ACTIVE | false | true  | true   | 0
            grace across a leap day (02-29 counts) | 2023-01-15 | 2028-02-20 | -          | 2028-03-06T12:00:00Z | GRACE  | false | true  | true   | -15
            grace across a leap day, lapsed        | 2023-01-15 | 2028-02-20 | -          | 2028-03-07T00:00:00Z | LAPSED | false | false | true   | -16
            day before purchase counts as active   | 2025-03-10 | -          | -          | 2025-03-01T00:00:00Z | ACTIVE | false | true  | false  | 374
            warranty with active service manager   | 2025-03-10 | 2027-03-10 | 2027-03-10 | 2026-06-01T00:00:00Z | ACTIVE | true  | true  | false  | 282
            warranty, its last paid day            | 2025-03-10 | 2027-03-10 | 2026-12-31 | 2026-12-31T23:59:59Z | ACTIVE | true  | true  | false  | 69
            warranty, the day after its paid day   | 2025-03-10 | 2027-03-10 | 2026-12-31 | 2027-01-01T00:00:00Z | ACTIVE | false | true  | false  | 68
            warranty paid but manager in grace     | 2025-03-10 | 2027-03-10 | 2028-03-10 | 2027-03-11T00:00:00Z | GRACE  | false | true  | true   | -1
            warranty paid but manager lapsed       | 2025-03-10 | 2027-03-10 | 2028-03-10 | 2027-06-01T00:00:00Z | LAPSED | false | false | true   | -83
            warranty in the free year              | 2025-03-10 | -          | 2026-03-10 | 2026-03-10T23:59:59Z | ACTIVE | true  | true  | true   | 0
            """)
    void decides_by_utc_calendar_day(String name, String purchase, String smPaid, String ewPaid, String now,
                                     ServiceManagerState state, boolean ew, boolean cloud, boolean remind,
                                     long daysUntilEnd) {
        Entitlement e = Entitlement.decide(Optional.of(token(purchase, smPaid, ewPaid, 15)), Instant.parse(now), true);
        assertEquals(state, e.serviceManager(), name);
        assertEquals(ew, e.extendedWarrantyActive(), name + ": extended warranty");
        assertEquals(cloud, e.cloudServicesAllowed(), name + ": cloud services");
        assertEquals(cloud, e.updatesAllowed(), name + ": updates (clock trusted)");
        assertEquals(remind, e.reminderDue(), name + ": reminder");
        assertEquals(daysUntilEnd, e.daysUntilEnd(), name + ": days until end");
    }

    @ParameterizedTest
    @CsvSource({
            "2024-02-29, 2025-02-28",
            "2023-02-28, 2024-02-28",
            "2025-01-31, 2026-01-31",
            "2025-12-31, 2026-12-31",
            "2024-03-01, 2025-03-01",
    })
    void free_year_ends_on_purchase_plus_twelve_months(String purchase, String end) {
        assertEquals(LocalDate.parse(end), Entitlement.serviceManagerEnd(token(purchase, null, null, 15)));
    }

    @ParameterizedTest
    @CsvSource({"0, 2026-03-10T23:59:59Z, ACTIVE", "0, 2026-03-11T00:00:00Z, LAPSED", "1, 2026-03-11T23:00:00Z, GRACE",
            "1, 2026-03-12T00:00:00Z, LAPSED", "90, 2026-06-08T12:00:00Z, GRACE", "90, 2026-06-09T00:00:00Z, LAPSED"})
    void grace_length_comes_from_the_token(int grace, String now, ServiceManagerState state) {
        assertEquals(state, Entitlement.decide(Optional.of(token("2025-03-10", null, null, grace)),
                Instant.parse(now), true).serviceManager());
    }

    @Test
    void an_untrusted_clock_refuses_updates_but_keeps_cloud_services() {
        Entitlement e = Entitlement.decide(Optional.of(token("2025-03-10", null, null, 15)),
                Instant.parse("2025-06-01T00:00:00Z"), false);
        assertTrue(e.cloudServicesAllowed());
        assertFalse(e.updatesAllowed());
    }

    @Test
    void no_token_allows_no_cloud_service_and_reminds_nothing() {
        Entitlement e = Entitlement.decide(Optional.empty(), Instant.parse("2025-06-01T00:00:00Z"), true);
        assertEquals(ServiceManagerState.NO_TOKEN, e.serviceManager());
        assertFalse(e.cloudServicesAllowed());
        assertFalse(e.updatesAllowed());
        assertFalse(e.extendedWarrantyActive());
        assertFalse(e.reminderDue());
        assertTrue(e.serviceManagerEnd().isEmpty());
    }
}
