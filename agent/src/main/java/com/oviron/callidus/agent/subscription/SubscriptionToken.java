package com.oviron.callidus.agent.subscription;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The claims of a subscription token (docs/protocol.md, "Token format"): what the vendor's server
 * states about one unit's subscriptions when it signs the token. Immutable and validated here, so a value
 * of this type is always coherent; whether it is genuine is {@link TokenVerifier}'s job.
 *
 * @param issuer                    {@code iss}: who signed it, compared with the configured issuer
 * @param deviceSerial              {@code sub}: the unit's serial number (its device id)
 * @param issuedAt                  {@code iat}: when the token was issued (whole seconds)
 * @param tokenSerial               {@code tsn}: grows with every token issued for the unit; a lower or equal
 *                                  serial never replaces an installed token
 * @param purchaseDate              {@code purchase_date}: the day the unit was bought; Service Manager is free
 *                                  from it for 12 months
 * @param serviceManagerPaidUntil   {@code paid_until.service_manager}: last paid day (inclusive), absent when
 *                                  Service Manager was never paid for
 * @param extendedWarrantyPaidUntil {@code paid_until.extended_warranty}: last paid day (inclusive), absent when
 *                                  Extended Warranty was never bought
 * @param graceDays                 {@code grace_days}: days the cloud services continue after the paid period
 *                                  (15 in the offer)
 * @param serverTime                {@code server_time}: the signing server's clock when it signed (whole seconds)
 */
public record SubscriptionToken(String issuer, String deviceSerial, Instant issuedAt, long tokenSerial,
                                LocalDate purchaseDate, Optional<LocalDate> serviceManagerPaidUntil,
                                Optional<LocalDate> extendedWarrantyPaidUntil, int graceDays, Instant serverTime) {
    /** Largest token serial: 2^53 - 1, so that any JSON implementation reads it exactly. */
    public static final long MAX_TOKEN_SERIAL = (1L << 53) - 1;
    /** Largest grace accepted in a token. */
    public static final int MAX_GRACE_DAYS = 90;
    /** The offer's grace: services stop 15 days after the paid period. */
    public static final int OFFER_GRACE_DAYS = 15;
    /** The shape of a device serial (the same as a device id in the topics). */
    public static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** The earliest and latest instants a token may carry; outside them a clock or a server is broken. */
    static final Instant EARLIEST = Instant.parse("2020-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");

    public SubscriptionToken {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(deviceSerial, "deviceSerial");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(purchaseDate, "purchaseDate");
        Objects.requireNonNull(serviceManagerPaidUntil, "serviceManagerPaidUntil");
        Objects.requireNonNull(extendedWarrantyPaidUntil, "extendedWarrantyPaidUntil");
        Objects.requireNonNull(serverTime, "serverTime");
        if (issuer.isEmpty() || issuer.length() > 128) {
            throw new IllegalArgumentException("iss must be 1 to 128 characters");
        }
        if (!SERIAL.matcher(deviceSerial).matches()) {
            throw new IllegalArgumentException("sub must match " + SERIAL.pattern());
        }
        if (tokenSerial < 1 || tokenSerial > MAX_TOKEN_SERIAL) {
            throw new IllegalArgumentException("tsn must be between 1 and " + MAX_TOKEN_SERIAL + ", got " + tokenSerial);
        }
        if (graceDays < 0 || graceDays > MAX_GRACE_DAYS) {
            throw new IllegalArgumentException("grace_days must be between 0 and " + MAX_GRACE_DAYS + ", got "
                    + graceDays);
        }
        checkInstant("iat", issuedAt);
        checkInstant("server_time", serverTime);
        checkDate("purchase_date", purchaseDate);
        serviceManagerPaidUntil.ifPresent(d -> checkPaidUntil("paid_until.service_manager", d, purchaseDate));
        extendedWarrantyPaidUntil.ifPresent(d -> checkPaidUntil("paid_until.extended_warranty", d, purchaseDate));
    }

    private static void checkInstant(String claim, Instant t) {
        if (t.getNano() != 0) {
            throw new IllegalArgumentException(claim + " must be whole seconds");
        }
        if (t.isBefore(EARLIEST) || !t.isBefore(LATEST)) {
            throw new IllegalArgumentException(claim + " must lie between " + EARLIEST + " and " + LATEST + ", got " + t);
        }
    }

    private static void checkDate(String claim, LocalDate d) {
        LocalDate earliest = LocalDate.ofInstant(EARLIEST, java.time.ZoneOffset.UTC);
        LocalDate latest = LocalDate.ofInstant(LATEST, java.time.ZoneOffset.UTC);
        if (d.isBefore(earliest) || !d.isBefore(latest)) {
            throw new IllegalArgumentException(claim + " must lie between " + earliest + " and " + latest + ", got " + d);
        }
    }

    private static void checkPaidUntil(String claim, LocalDate paidUntil, LocalDate purchase) {
        checkDate(claim, paidUntil);
        if (paidUntil.isBefore(purchase)) {
            throw new IllegalArgumentException(claim + " " + paidUntil + " lies before purchase_date " + purchase);
        }
    }
}
