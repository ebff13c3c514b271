package com.oviron.callidus.agent.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The trusted-time rule on generated histories: time passing, the wall clock set anywhere (people, NTP, a flat
 * RTC battery), restarts with the wall clock moved while the unit was off, tokens with any time a cloud clock
 * could put in them, and signed statements. Two clocks see the same history; the reference does not see the
 * tokens. Whatever the order, trusted time stays between own time and own time plus the lead, tokens do not
 * move own time (beyond what the once-a-minute writing of flowing time makes the two files differ by), and own
 * time never exceeds the highest reading of the unit clock plus the time that passed while the agent ran (plus
 * the tolerance a restart may leave).
 */
class TrustedClockPropertyTest {
    private static final Instant START = Instant.parse("2026-11-21T08:00:00Z");
    private static final Duration TOLERANCE = Duration.ofMinutes(10);
    private static final Duration LEAD = Duration.ofDays(1);
    private static final long DAY = Duration.ofDays(1).toMillis();

    /** One thing that happens to the unit. */
    sealed interface Step permits Pass, SetWall, Restart, Token, Signed {
    }

    /** Real time passes (both clocks run). */
    record Pass(long ms) implements Step {
    }

    /** Someone or something steps the wall clock by {@code ms}. */
    record SetWall(long ms) implements Step {
    }

    /** The agent restarts; the wall clock moved by {@code movedMs} while it was off (after {@code offMs} passed). */
    record Restart(long offMs, long movedMs) implements Step {
    }

    /** A new token whose time lies {@code aheadMs} ahead of the wall clock (negative: behind). */
    record Token(long aheadMs) implements Step {
    }

    /** A signed statement: the true time is {@code aheadMs} ahead of the wall clock. */
    record Signed(long aheadMs) implements Step {
    }

    @Provide
    Arbitrary<List<Step>> histories() {
        Arbitrary<Step> pass = Arbitraries.longs().between(0, 3 * DAY).map(Pass::new);
        Arbitrary<Step> setWall = Arbitraries.longs().between(-400 * DAY, 400 * DAY).map(SetWall::new);
        Arbitrary<Step> restart = Arbitraries.longs().between(0, 30 * DAY)
                .flatMap(off -> Arbitraries.oneOf(Arbitraries.just(off), Arbitraries.longs().between(-400 * DAY,
                        400 * DAY)).map(moved -> new Restart(off, moved)));
        Arbitrary<Step> token = Arbitraries.oneOf(Arbitraries.longs().between(-100 * DAY, 100 * DAY),
                Arbitraries.longs().between(-2 * DAY, 2 * DAY), Arbitraries.of(LEAD.toMillis() - 1, LEAD.toMillis(),
                        LEAD.toMillis() + 1, 30 * DAY, 36_500 * DAY)).map(Token::new);
        Arbitrary<Step> signed = Arbitraries.longs().between(-60 * DAY, 60 * DAY).map(Signed::new);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, pass), net.jqwik.api.Tuple.of(2, setWall),
                net.jqwik.api.Tuple.of(2, restart), net.jqwik.api.Tuple.of(6, token),
                net.jqwik.api.Tuple.of(1, signed)).list().ofMinSize(1).ofMaxSize(25);
    }

    @Provide
    Arbitrary<List<Step>> honestHistories() {
        Arbitrary<Step> pass = Arbitraries.longs().between(0, 3 * DAY).map(Pass::new);
        Arbitrary<Step> restart = Arbitraries.longs().between(0, 30 * DAY).map(off -> new Restart(off, off));
        Arbitrary<Step> token = Arbitraries.longs().between(-100 * DAY, 36_500 * DAY).map(Token::new);
        return Arbitraries.oneOf(pass, restart, token).list().ofMinSize(1).ofMaxSize(25);
    }

    @Property(tries = 200)
    void no_sequence_of_tokens_restarts_or_clock_changes_puts_trusted_time_beyond_the_bound(
            @ForAll("histories") List<Step> history) throws IOException {
        Path dir = tempDir();
        try {
            FakeTime time = new FakeTime(START);
            Path withTokens = dir.resolve("with.json");
            Path reference = dir.resolve("reference.json");
            TrustedClock with = open(withTokens, time);
            TrustedClock ref = open(reference, time);
            long highestWall = time.wallNow().toEpochMilli();
            long flowed = 0;
            for (Step step : history) {
                if (step instanceof Pass p) {
                    time.pass(Duration.ofMillis(p.ms()));
                    flowed += p.ms();
                } else if (step instanceof SetWall s) {
                    time.stepWall(Duration.ofMillis(s.ms()));
                } else if (step instanceof Restart r) {
                    time.pass(Duration.ofMillis(r.offMs()));
                    time.stepWall(Duration.ofMillis(r.movedMs() - r.offMs()));
                    time.newProcess(r.hashCode() * 1_000_003L);
                    with = open(withTokens, time);
                    ref = open(reference, time);
                } else if (step instanceof Token t) {
                    with.acceptTokenTime(clamp(time.wallNow().plusMillis(t.aheadMs())));
                } else if (step instanceof Signed s) {
                    Instant truth = clamp(time.wallNow().plusMillis(s.aheadMs()));
                    with.acceptSignedTime(truth);
                    ref.acceptSignedTime(truth);
                    // a signed time is a new origin for the bound
                    highestWall = Math.max(highestWall, truth.toEpochMilli());
                    flowed = 0;
                }
                highestWall = Math.max(highestWall, time.wallNow().toEpochMilli() + ref.read().localCorrection().toMillis());
                TrustedClock.Reading w = with.read();
                TrustedClock.Reading r = ref.read();
                String where = "after " + step + " in " + history;
                assertTrue(!w.trustedNow().isBefore(w.ownTime()), "trusted time never below own time " + where);
                assertTrue(!w.trustedNow().isAfter(w.ownTime().plus(LEAD)),
                        "trusted " + w.trustedNow() + " beyond own " + w.ownTime() + " + lead " + where);
                // the two files are written at different moments (tokens write at once, flowing time once a
                // minute), so what a restart reads back may differ by that much; beyond it tokens moved own time
                assertTrue(Math.abs(w.ownTime().toEpochMilli() - r.ownTime().toEpochMilli())
                        <= TrustedClock.PERSIST_EVERY.toMillis(), "tokens moved own time " + w.ownTime() + " vs "
                        + r.ownTime() + " " + where);
                for (TrustedClock.Reading x : List.of(w, r)) {
                    assertTrue(x.ownTime().toEpochMilli() <= highestWall + flowed + TOLERANCE.toMillis(),
                            "own time " + x.ownTime() + " beyond what the clocks justify " + where);
                }
            }
        } finally {
            delete(dir);
        }
    }

    @Property(tries = 100)
    void with_an_honest_clock_trusted_time_is_the_clock_plus_at_most_the_lead(
            @ForAll("honestHistories") List<Step> history) throws IOException {
        Path dir = tempDir();
        try {
            FakeTime time = new FakeTime(START);
            Path file = dir.resolve("t.json");
            TrustedClock clock = open(file, time);
            for (Step step : history) {
                if (step instanceof Pass p) {
                    time.pass(Duration.ofMillis(p.ms()));
                } else if (step instanceof Restart r) {
                    time.pass(Duration.ofMillis(r.offMs()));
                    time.newProcess(-r.offMs());
                    clock = open(file, time);
                } else if (step instanceof Token t) {
                    clock.acceptTokenTime(clamp(time.wallNow().plusMillis(t.aheadMs())));
                } else {
                    throw new AssertionError("not generated: " + step);
                }
                TrustedClock.Reading r = clock.read();
                assertEquals(time.wallNow(), r.ownTime(), "own time is the clock " + history);
                long lead = r.trustedNow().toEpochMilli() - time.wallNow().toEpochMilli();
                assertTrue(lead >= 0 && lead <= LEAD.toMillis(), "lead " + lead + " ms " + history);
                assertFalse(r.clockTampered(), history.toString());
            }
        } finally {
            delete(dir);
        }
    }

    private static TrustedClock open(Path file, FakeTime time) {
        return new TrustedClock(file, time.wall, time.monotonic(), TOLERANCE, LEAD);
    }

    /** Token and statement times lie in the range a verified one can have. */
    private static Instant clamp(Instant t) {
        Instant min = SubscriptionToken.EARLIEST;
        Instant max = SubscriptionToken.LATEST.minusSeconds(1);
        return t.isBefore(min) ? min : t.isAfter(max) ? max : t;
    }

    /** In memory where the machine has it: the clock writes its file durably (fsync) at each change. */
    private static Path tempDir() throws IOException {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "trusted-time")
                : Files.createTempDirectory("trusted-time");
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
