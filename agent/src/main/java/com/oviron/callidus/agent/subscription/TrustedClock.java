package com.oviron.callidus.agent.subscription;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.command.CommandCodec;
import com.oviron.callidus.store.log.FailureLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.tinylog.Logger;

/**
 * The time the subscription is judged by, protected against a clock that is set back. It keeps a persisted
 * high-water mark of trusted time (docs/protocol.md, "Trusted time"):
 * <ul>
 *   <li><b>Local clock.</b> Every reading moves the mark forward by the time the local clock moved forward
 *       since the last reading, and never below the local clock: {@code mark = max(mark + max(0, delta), local)}.
 *       A local clock that goes back by more than the tolerance since the last reading (also across a
 *       restart: the last reading is persisted) is a <i>jump back</i>: it is logged, reported
 *       ({@link Reading#clockTampered()}) and software updates are refused. The mark does not go back with it
 *       and keeps flowing with the local clock's progress, so setting the clock back does not stretch the
 *       subscription.</li>
 *   <li><b>A newly installed token</b> ({@link #acceptTokenTime}) raises the mark to its time, but never beyond
 *       one {@code tokenLead} (a day by default) ahead of {@code max(mark, local)}: a far-future time in a token
 *       can make a subscription end a day early, never lock the unit out. It clears a jump back.</li>
 *   <li><b>Server time received over the authenticated cloud link</b> ({@link #acceptServerTime}) is
 *       authoritative: it sets the mark (up or down) and clears a jump back. This is how a unit whose clock
 *       ran into the future (a wrong RTC) recovers.</li>
 * </ul>
 * The state is written atomically to a small JSON file when it changes, and at most once a minute while
 * the mark just flows. A missing file is a first start; an unreadable one is kept aside and the clock starts
 * as jumped back (updates refused until a token or a server time arrives). Thread-safe.
 */
public final class TrustedClock {
    /** Default: how far the local clock may step back (NTP corrections) before it counts as a jump back. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(10);
    /** Default: how far a token's time may move the mark ahead of the unit's own time. */
    public static final Duration DEFAULT_TOKEN_LEAD = Duration.ofDays(1);
    static final Duration PERSIST_EVERY = Duration.ofMinutes(1);
    static final int MAX_FILE_BYTES = 4096;

    /**
     * One reading.
     *
     * @param trustedNow        the time to judge the subscription by
     * @param localNow          the local clock
     * @param clockTampered     a jump back is unresolved (no token or server time since)
     * @param lastJumpBack      how far the local clock last jumped back (zero if never)
     * @param lastJumpBackAt    when (trusted time) it was seen
     * @param lastTrustedSource {@code token} or {@code server}: where the last trusted time came from
     * @param lastTrustedAt     that time
     */
    public record Reading(Instant trustedNow, Instant localNow, boolean clockTampered, Duration lastJumpBack,
                          Optional<Instant> lastJumpBackAt, Optional<String> lastTrustedSource,
                          Optional<Instant> lastTrustedAt) {
        /** {@code trusted} or {@code jumped_back}, as it travels. */
        public String clockState() {
            return clockTampered ? "jumped_back" : "trusted";
        }
    }

    private final Path file;
    private final Clock local;
    private final Duration tolerance;
    private final Duration tokenLead;

    private long markMs;
    private long lastLocalMs;
    private boolean tampered;
    private long jumpBackMs;
    private long jumpBackAtMs = -1;
    private String trustedSource;
    private long trustedAtMs = -1;
    private long persistedMarkMs;
    /** A write that keeps failing (a full disk) is tried at every reading but logged once a minute. */
    private final FailureLog failures = new FailureLog();

    public TrustedClock(Path file, Clock local, Duration tolerance, Duration tokenLead) {
        this.file = Objects.requireNonNull(file, "file");
        this.local = Objects.requireNonNull(local, "local");
        this.tolerance = Objects.requireNonNull(tolerance, "tolerance");
        this.tokenLead = Objects.requireNonNull(tokenLead, "tokenLead");
        if (tolerance.isNegative() || tokenLead.isNegative()) {
            throw new IllegalArgumentException("tolerance and token lead must not be negative");
        }
        load();
        read();
    }

    /** Reads the local clock, updates the mark and returns the trusted time. */
    public synchronized Reading read() {
        long now = local.millis();
        long delta = now - lastLocalMs;
        boolean changed = false;
        if (delta < -tolerance.toMillis()) {
            tampered = true;
            jumpBackMs = -delta;
            jumpBackAtMs = markMs;
            changed = true;
            Logger.warn("clock jumped back, subscription time keeps the high-water mark and updates are refused until"
                    + " a fresh token or server time arrives jumpBackSeconds={} localClock={} trustedTime={}",
                    -delta / 1000, Instant.ofEpochMilli(now), Instant.ofEpochMilli(markMs));
        }
        markMs = Math.max(markMs + Math.max(0, delta), now);
        lastLocalMs = now;
        persist(changed);
        return reading(now);
    }

    /** A newly installed token's time ({@code max(iat, server_time)}); see the class comment. */
    public synchronized Reading acceptTokenTime(Instant tokenTime) {
        read();
        long cap = Math.max(markMs, lastLocalMs) + tokenLead.toMillis();
        long t = tokenTime.toEpochMilli();
        if (t > cap) {
            Logger.warn("token time lies far ahead of the unit's time, mark raised only by the allowed lead"
                    + " tokenTime={} trustedTime={} leadHours={}", tokenTime, Instant.ofEpochMilli(markMs),
                    tokenLead.toHours());
        }
        markMs = Math.max(markMs, Math.min(t, cap));
        trusted("token");
        return reading(lastLocalMs);
    }

    /**
     * A command's {@code issuedAt}: the cloud's clock when it sent the command. The broker may have held the
     * command for a while, so it only proves that trusted time is <em>at least</em> this: it can raise the mark
     * (by the same bounded lead as a token, so a cloud clock gone wrong cannot lock the unit out) and then
     * counts as a fresh trusted time; an older time changes nothing.
     */
    public synchronized Reading acceptCommandTime(Instant issuedAt) {
        read();
        long t = issuedAt.toEpochMilli();
        if (t <= markMs) {
            return reading(lastLocalMs);
        }
        long cap = Math.max(markMs, lastLocalMs) + tokenLead.toMillis();
        markMs = Math.min(t, cap);
        trusted("command");
        return reading(lastLocalMs);
    }

    /** The cloud's time, received over the authenticated link; see the class comment. */
    public synchronized Reading acceptServerTime(Instant serverTime) {
        read();
        long before = markMs;
        markMs = serverTime.toEpochMilli();
        if (Math.abs(markMs - before) > tolerance.toMillis()) {
            Logger.info("trusted time set from the cloud's time trustedTimeWas={} trustedTime={} localClock={}",
                    Instant.ofEpochMilli(before), serverTime, Instant.ofEpochMilli(lastLocalMs));
        }
        trusted("server");
        return reading(lastLocalMs);
    }

    private void trusted(String source) {
        if (tampered) {
            Logger.info("clock jump back resolved by a fresh trusted time source={}", source);
        }
        tampered = false;
        trustedSource = source;
        trustedAtMs = markMs;
        persist(true);
    }

    private Reading reading(long localNow) {
        return new Reading(Instant.ofEpochMilli(markMs), Instant.ofEpochMilli(localNow), tampered,
                Duration.ofMillis(jumpBackMs), jumpBackAtMs < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(jumpBackAtMs)),
                Optional.ofNullable(trustedSource),
                trustedAtMs < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(trustedAtMs)));
    }

    private void persist(boolean changed) {
        if (!changed && markMs - persistedMarkMs < PERSIST_EVERY.toMillis()) {
            return;
        }
        JsonObject o = new JsonObject();
        o.addProperty("v", 1);
        o.addProperty("markMs", markMs);
        o.addProperty("lastLocalMs", lastLocalMs);
        o.addProperty("tampered", tampered);
        o.addProperty("jumpBackMs", jumpBackMs);
        o.addProperty("jumpBackAtMs", jumpBackAtMs);
        if (trustedSource != null) {
            o.addProperty("trustedSource", trustedSource);
        }
        o.addProperty("trustedAtMs", trustedAtMs);
        try {
            AtomicFile.write(file, o.toString().getBytes(StandardCharsets.UTF_8));
            persistedMarkMs = markMs;
            failures.cleared("persist", "trusted time persisted again file={}", file);
        } catch (IOException e) {
            failures.warn("persist." + FailureLog.kindOf(e), "trusted time not persisted, kept in memory file={} error={}", file,
                    e.getMessage());
        }
    }

    private void load() {
        long now = local.millis();
        try {
            JsonElement e = CommandCodec.parseStrict(new String(AtomicFile.read(file, MAX_FILE_BYTES),
                    StandardCharsets.UTF_8));
            JsonObject o = e.getAsJsonObject();
            if (o.get("v").getAsInt() != 1) {
                throw new IOException("unknown version " + o.get("v"));
            }
            markMs = o.get("markMs").getAsLong();
            lastLocalMs = o.get("lastLocalMs").getAsLong();
            tampered = o.get("tampered").getAsBoolean();
            jumpBackMs = o.get("jumpBackMs").getAsLong();
            jumpBackAtMs = o.get("jumpBackAtMs").getAsLong();
            trustedSource = o.has("trustedSource") ? o.get("trustedSource").getAsString() : null;
            trustedAtMs = o.get("trustedAtMs").getAsLong();
            if (trustedSource != null && !trustedSource.matches("token|server|command")) {
                throw new IOException("unknown trustedSource");
            }
            persistedMarkMs = markMs;
            Logger.info("trusted time loaded trustedTime={} localClock={} clockState={}", Instant.ofEpochMilli(markMs),
                    Instant.ofEpochMilli(now), tampered ? "jumped_back" : "trusted");
        } catch (NoSuchFileException e) {
            markMs = now;
            lastLocalMs = now;
            Logger.info("trusted time starts from the local clock (first start) localClock={}", Instant.ofEpochMilli(now));
            persist(true);
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            try {
                AtomicFile.moveAside(file, "rejected");
            } catch (IOException ex) {
                Logger.warn("unreadable trusted time file not moved aside file={} error={}", file, ex.getMessage());
            }
            markMs = now;
            lastLocalMs = now;
            tampered = true;
            jumpBackAtMs = now;
            Logger.error("trusted time file unreadable, kept aside; updates refused until a fresh token or server time"
                    + " arrives file={} reason={}", file, why);
            persist(true);
        }
    }
}
