package com.oviron.callidus.agent.subscription;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.command.CommandCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.tinylog.Logger;

/**
 * The time the subscription is judged by (docs/protocol.md, "Trusted time"; ADR 0014). Two persisted
 * values:
 * <ul>
 *   <li><b>Own time</b>: what the unit's own clocks justify. It flows with the monotonic clock while the agent
 *       runs ({@code System.nanoTime}, which nobody sets) and, across a restart, up to the unit clock if that
 *       is later (the only clock that survives a restart; a lag the unit clock had is given up, so a clock set
 *       right while the unit was off counts once); it is never
 *       below the <i>unit clock</i>, the wall clock plus the correction of the last signed time statement
 *       (usually 0). So setting the clock back gains nothing, and a wall clock that is set forward (NTP after
 *       a boot in 1970) is followed at once.</li>
 *   <li><b>Trusted time</b> (the mark): own time, raised by a newly installed token's time but never more than
 *       {@code maxLead} (1 day) beyond own time. Own time does not depend on any network input, both flow
 *       alike, and every raise is capped from own time, not from the mark, so no sequence of tokens, commands,
 *       retained messages or restarts can put trusted time more than {@code maxLead} ahead of own time.
 *       Unsigned inputs (a command's {@code issuedAt}) do not touch it at all.</li>
 * </ul>
 * Only a <b>signed time statement</b> that answers a fresh challenge ({@link #acceptSignedTime}, checked by
 * {@link SubscriptionService}) sets both values to its time, up or down, and, when the wall clock disagrees
 * with it by more than the tolerance, keeps the difference as the wall clock's correction (a unit whose
 * clock runs days ahead is judged by the true time). The correction is dropped when the wall clock comes
 * back within the tolerance of own time (the clock was fixed).
 *
 * <p>The clock is <b>jumped back</b> ({@link Reading#clockTampered()}) while the unit clock lies more than the
 * tolerance behind own time (it was set back, or an RTC-less controller booted in 1970), and after an
 * unreadable state file until a signed statement arrives; software updates are refused then. It resolves
 * itself when the clock comes back. Transitions are logged once.
 *
 * <p>The state is written atomically to a small JSON file when it changes, and at most once a minute while
 * time just flows (a restart loses less than a minute of flow, in the customer's favour). A missing file is a
 * first start (own time = the wall clock). Thread-safe.
 */
public final class TrustedClock {
    /** Default: how far the unit clock may lag own time (NTP corrections) before it counts as a jump back. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(10);
    /** Default: how far a token's time may put trusted time ahead of own time, in all. */
    public static final Duration DEFAULT_TOKEN_LEAD = Duration.ofDays(1);
    static final Duration PERSIST_EVERY = Duration.ofMinutes(1);
    static final int MAX_FILE_BYTES = 4096;
    static final int VERSION = 2;
    private static final Set<String> SOURCES = Set.of("token", "statement", "server", "command");

    /**
     * One reading.
     *
     * @param trustedNow        the time to judge the subscription by
     * @param ownTime           what the unit's own clocks justify: trusted time without a token's lead
     * @param localNow          the wall clock, as it is
     * @param localCorrection   added to the wall clock since the last signed statement (zero if none)
     * @param clockTampered     jumped back: the unit clock lags own time by more than the tolerance, or the
     *                          state file was lost and no signed statement came since
     * @param lastJumpBack      how far the clock lagged when it last jumped back (zero if never)
     * @param lastJumpBackAt    when (trusted time) that was seen
     * @param lastTrustedSource {@code token} or {@code statement} ({@code command} or {@code server} from an
     *                          older version's file): what last moved trusted time beyond the unit's clock
     * @param lastTrustedAt     the trusted time then
     */
    public record Reading(Instant trustedNow, Instant ownTime, Instant localNow, Duration localCorrection,
                          boolean clockTampered, Duration lastJumpBack, Optional<Instant> lastJumpBackAt,
                          Optional<String> lastTrustedSource, Optional<Instant> lastTrustedAt) {
        /** {@code trusted} or {@code jumped_back}, as it travels. */
        public String clockState() {
            return clockTampered ? "jumped_back" : "trusted";
        }
    }

    private final Path file;
    private final Clock local;
    private final LongSupplier nanoTime;
    private final long toleranceMs;
    private final long maxLeadMs;

    private long markMs;
    private long ownMs;
    private long offsetMs;
    private long lastUnitMs;
    private long lastNanos;
    private boolean behind;
    private boolean markLost;
    private long jumpBackMs;
    private long jumpBackAtMs = -1;
    private String trustedSource;
    private long trustedAtMs = -1;
    private long persistedMarkMs;
    private long persistedOwnMs;

    /**
     * @param file      the state file
     * @param local     the wall clock
     * @param nanoTime  the monotonic clock ({@code System::nanoTime})
     * @param tolerance how far the unit clock may lag own time before it is a jump back
     * @param maxLead   how far a token's time may put trusted time ahead of own time
     */
    public TrustedClock(Path file, Clock local, LongSupplier nanoTime, Duration tolerance, Duration maxLead) {
        this.file = Objects.requireNonNull(file, "file");
        this.local = Objects.requireNonNull(local, "local");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        if (tolerance.isNegative() || maxLead.isNegative()) {
            throw new IllegalArgumentException("tolerance and token lead must not be negative");
        }
        this.toleranceMs = tolerance.toMillis();
        this.maxLeadMs = maxLead.toMillis();
        load();
    }

    /** Reads the clocks, lets time flow and returns the trusted time. */
    public synchronized Reading read() {
        long nowNanos = nanoTime.getAsLong();
        long elapsedMs = Math.max(0, (nowNanos - lastNanos) / 1_000_000);
        lastNanos += elapsedMs * 1_000_000;   // keep the sub-millisecond rest for the next reading
        boolean changed = settle(elapsedMs, local.millis());
        persist(changed);
        return reading();
    }

    /**
     * A newly installed token's time ({@code max(iat, server_time)}): raises trusted time to it, but never
     * beyond own time plus the lead; never lowers it. A token is signed but may be old or come from a server
     * whose clock is wrong, so it proves little about now.
     */
    public synchronized Reading acceptTokenTime(Instant tokenTime) {
        read();
        long cap = ownMs + maxLeadMs;
        long t = tokenTime.toEpochMilli();
        if (t > cap) {
            Logger.warn("token time lies ahead of the unit's own time by more than the allowed lead: trusted time"
                    + " raised to the lead only tokenTime={} ownTime={} leadHours={}", tokenTime,
                    Instant.ofEpochMilli(ownMs), maxLeadMs / 3_600_000);
        }
        long raised = Math.min(t, cap);
        if (raised > markMs) {
            markMs = raised;
            trustedSource = "token";
            trustedAtMs = markMs;
            persist(true);
        }
        return reading();
    }

    /**
     * The true time from a signed statement that answered a fresh challenge (checked by the caller): sets own
     * and trusted time to it, up or down; keeps the wall clock's difference from it as its correction when it
     * exceeds the tolerance; ends a jump back. Its time is when the server signed, at most the challenge's
     * validity ago, so the unit counts from there (never ahead of the truth).
     */
    public synchronized Reading acceptSignedTime(Instant statementTime) {
        read();
        long before = markMs;
        long t = statementTime.toEpochMilli();
        long localMs = local.millis();
        offsetMs = Math.abs(t - localMs) <= toleranceMs ? 0 : t - localMs;
        ownMs = t;
        markMs = t;
        markLost = false;
        settle(0, localMs);
        trustedSource = "statement";
        trustedAtMs = markMs;
        Logger.info("trusted time set by a signed time statement trustedTimeWas={} trustedTime={} localClock={}"
                + " localCorrectionSeconds={}", Instant.ofEpochMilli(before), Instant.ofEpochMilli(markMs),
                Instant.ofEpochMilli(localMs), offsetMs / 1000);
        persist(true);
        return reading();
    }

    /**
     * Lets {@code elapsedMs} flow, applies the unit clock as the floor and updates the jump-back state.
     *
     * @return whether something worth writing at once changed
     */
    private boolean settle(long elapsedMs, long localMs) {
        boolean changed = false;
        ownMs += elapsedMs;
        markMs += elapsedMs;
        if (offsetMs != 0 && Math.abs(localMs - ownMs) <= toleranceMs) {
            Logger.info("wall clock agrees with trusted time again: its correction is dropped correctionSeconds={}"
                    + " localClock={}", offsetMs / 1000, Instant.ofEpochMilli(localMs));
            offsetMs = 0;
            changed = true;
        }
        long unit = localMs + offsetMs;
        ownMs = Math.max(ownMs, unit);
        markMs = Math.max(markMs, ownMs);
        boolean lagging = ownMs - unit > toleranceMs;
        if (lagging && !behind) {
            jumpBackMs = ownMs - unit;
            jumpBackAtMs = markMs;
            Logger.warn("clock jumped back: trusted time keeps flowing from its own time, updates are refused until"
                    + " the clock is back or a signed time statement arrives jumpBackSeconds={} localClock={}"
                    + " trustedTime={}", jumpBackMs / 1000, Instant.ofEpochMilli(localMs), Instant.ofEpochMilli(markMs));
            changed = true;
        } else if (!lagging && behind) {
            Logger.info("clock back in line with trusted time localClock={} trustedTime={}",
                    Instant.ofEpochMilli(localMs), Instant.ofEpochMilli(markMs));
            changed = true;
        }
        behind = lagging;
        lastUnitMs = unit;
        return changed;
    }

    private Reading reading() {
        return new Reading(Instant.ofEpochMilli(markMs), Instant.ofEpochMilli(ownMs),
                Instant.ofEpochMilli(lastUnitMs - offsetMs), Duration.ofMillis(offsetMs), behind || markLost,
                Duration.ofMillis(jumpBackMs),
                jumpBackAtMs < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(jumpBackAtMs)),
                Optional.ofNullable(trustedSource),
                trustedAtMs < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(trustedAtMs)));
    }

    private void persist(boolean changed) {
        if (!changed && markMs - persistedMarkMs < PERSIST_EVERY.toMillis()
                && ownMs - persistedOwnMs < PERSIST_EVERY.toMillis()) {
            return;
        }
        JsonObject o = new JsonObject();
        o.addProperty("v", VERSION);
        o.addProperty("markMs", markMs);
        o.addProperty("ownMs", ownMs);
        o.addProperty("lastUnitMs", lastUnitMs);
        o.addProperty("localCorrectionMs", offsetMs);
        o.addProperty("jumpedBack", behind);
        o.addProperty("markLost", markLost);
        o.addProperty("jumpBackMs", jumpBackMs);
        o.addProperty("jumpBackAtMs", jumpBackAtMs);
        if (trustedSource != null) {
            o.addProperty("trustedSource", trustedSource);
        }
        o.addProperty("trustedAtMs", trustedAtMs);
        try {
            AtomicFile.write(file, o.toString().getBytes(StandardCharsets.UTF_8));
            persistedMarkMs = markMs;
            persistedOwnMs = ownMs;
        } catch (IOException e) {
            Logger.warn("trusted time not persisted, kept in memory file={} error={}", file, e.getMessage());
        }
    }

    /**
     * Reads the file and lets the time the agent was away flow: the unit clock's progress since the last
     * reading, not less than nothing (a clock set back while the unit was off is a jump back). The progress is
     * counted from own time, not from the last reading: when that reading lagged own time (set back within the
     * tolerance, or jumped back: e.g. a boot in 1970 before NTP), a clock set right while the unit was off is not
     * counted twice. Across a restart own time is thus the unit clock, or where it was if that is later; the
     * lag the unit clock had (at most the tolerance, or a jump back) is given up in the customer's favour.
     */
    private void load() {
        long localMs = local.millis();
        lastNanos = nanoTime.getAsLong();
        try {
            JsonElement e = CommandCodec.parseStrict(new String(AtomicFile.read(file, MAX_FILE_BYTES),
                    StandardCharsets.UTF_8));
            readState(e.getAsJsonObject());
            // counted from own time, not from the last reading of the unit clock: a reading that lagged own time
            // (within the tolerance, or jumped back) would otherwise carry its lag into own time across the restart,
            // and how much would depend on when the file happened to be written
            long away = Math.max(0, localMs + offsetMs - ownMs);
            settle(away, localMs);
            Logger.info("trusted time loaded trustedTime={} ownTime={} localClock={} clockState={}",
                    Instant.ofEpochMilli(markMs), Instant.ofEpochMilli(ownMs), Instant.ofEpochMilli(localMs),
                    behind || markLost ? "jumped_back" : "trusted");
            persist(true);
        } catch (NoSuchFileException e) {
            markMs = localMs;
            ownMs = localMs;
            lastUnitMs = localMs;
            Logger.info("trusted time starts from the local clock (first start) localClock={}",
                    Instant.ofEpochMilli(localMs));
            persist(true);
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            try {
                AtomicFile.moveAside(file, "rejected");
            } catch (IOException ex) {
                Logger.warn("unreadable trusted time file not moved aside file={} error={}", file, ex.getMessage());
            }
            markMs = localMs;
            ownMs = localMs;
            lastUnitMs = localMs;
            offsetMs = 0;
            markLost = true;
            jumpBackAtMs = localMs;
            Logger.error("trusted time file unreadable, kept aside; updates refused until a signed time statement"
                    + " arrives file={} reason={}", file, why);
            persist(true);
        }
    }

    /** Version 2, or version 1 of the earlier rule (its mark is kept as own time: see ADR 0014). */
    private void readState(JsonObject o) throws IOException {
        int v = o.get("v").getAsInt();
        if (v == 1) {
            markMs = o.get("markMs").getAsLong();
            ownMs = markMs;
            lastUnitMs = o.get("lastLocalMs").getAsLong();
            offsetMs = 0;
            behind = o.get("tampered").getAsBoolean();
            markLost = false;
        } else if (v == VERSION) {
            markMs = o.get("markMs").getAsLong();
            ownMs = o.get("ownMs").getAsLong();
            lastUnitMs = o.get("lastUnitMs").getAsLong();
            offsetMs = o.get("localCorrectionMs").getAsLong();
            behind = o.get("jumpedBack").getAsBoolean();
            markLost = o.get("markLost").getAsBoolean();
        } else {
            throw new IOException("unknown version " + v);
        }
        jumpBackMs = o.get("jumpBackMs").getAsLong();
        jumpBackAtMs = o.get("jumpBackAtMs").getAsLong();
        trustedSource = o.has("trustedSource") ? o.get("trustedSource").getAsString() : null;
        trustedAtMs = o.get("trustedAtMs").getAsLong();
        if (trustedSource != null && !SOURCES.contains(trustedSource)) {
            throw new IOException("unknown trustedSource");
        }
        if (markMs < ownMs) {
            markMs = ownMs;
        }
        if (markMs - ownMs > maxLeadMs) {
            Logger.warn("trusted time in the file lies further ahead of own time than the configured lead allows:"
                    + " held to the lead trustedTime={} ownTime={} leadHours={}", Instant.ofEpochMilli(markMs),
                    Instant.ofEpochMilli(ownMs), maxLeadMs / 3_600_000);
            markMs = ownMs + maxLeadMs;
        }
    }
}
