package com.oviron.callidus.tools.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The restart scenario's measures: a unit that fails over to another node while its own is down is back, and
 * a unit that is down only for a moment still counts as having noticed the kill.
 */
class ConnectionTimelineTest {

    /** A unit whose connection the test switches. */
    private static final class SwitchedUnit implements FleetUnit {
        private final String id;
        volatile boolean up = true;
        volatile long attempts;

        SwitchedUnit(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public boolean connected() {
            return up;
        }

        @Override
        public long connectAttempts() {
            return attempts;
        }

        @Override
        public Progress progress() {
            return new Progress(0, 0, 0);
        }

        @Override
        public void close() {
        }
    }

    // a timer that never fires within the test: the test polls by hand
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private ConnectionTimeline timeline(List<SwitchedUnit> units) throws InterruptedException {
        ConnectionTimeline t = new ConnectionTimeline(units, timer);
        t.close(); // no background polls: every transition below is seen by an explicit poll()
        timer.awaitTermination(0, TimeUnit.MILLISECONDS);
        t.poll();
        return t;
    }

    @Test
    void unitsThatMovedToAnotherNodeBeforeTheirsCameBackCountAsBack() throws Exception {
        List<SwitchedUnit> units = new ArrayList<>(List.of(new SwitchedUnit("a"), new SwitchedUnit("b"),
                new SwitchedUnit("c")));
        ConnectionTimeline t = timeline(units);
        long killAt = System.nanoTime();
        Set<Integer> affected = Set.of(0, 1);

        units.get(0).up = false;
        t.poll();
        units.get(0).up = true; // back on another node before b noticed anything
        t.poll();
        assertEquals(-1, t.allDroppedAfter(killAt, affected), "b has not dropped yet");
        units.get(1).up = false;
        t.poll();
        assertTrue(t.allDroppedAfter(killAt, affected) >= 0, "both seen down, though never both at once");
        long upAt = System.nanoTime();
        assertEquals(1, t.backBetween(killAt, upAt, affected), "a came back before the node");
        assertEquals(-1, t.allBackAfter(killAt, affected), "b is not back");

        units.get(1).up = true;
        t.poll();
        assertTrue(t.allBackAfter(killAt, affected) >= 0);
        assertEquals(-1, t.allBackAfter(upAt, affected), "measured from the node's start, a would be missing");
        assertTrue(t.spread(killAt, affected).startsWith("2 of 2 reconnected"), t.spread(killAt, affected));
        assertEquals(2, t.peakPerSecond(killAt));
    }

    @Test
    void attemptsAreCountedFromEachUnitsOwnCounterAndPeakInAnyOneSecond() throws Exception {
        List<SwitchedUnit> units = new ArrayList<>(List.of(new SwitchedUnit("a"), new SwitchedUnit("b")));
        units.get(0).attempts = 7; // before the timeline: not counted
        ConnectionTimeline t = timeline(units);
        long from = System.nanoTime() + 1_000_000_000L; // the looks below are placed in time by the test
        units.get(0).attempts += 3; // three attempts between two looks, none of them connected: all counted
        units.get(1).attempts += 2;
        t.poll(from);
        assertEquals(5, t.attemptsSince(from));
        assertEquals(5, t.peakAttemptsPerSecond(from));
        units.get(1).attempts += 4;
        t.poll(from + 1_100_000_000L);
        assertEquals(9, t.attemptsSince(from));
        assertEquals(5, t.peakAttemptsPerSecond(from), "5 then 4, more than a second apart");
        units.get(0).attempts += 2;
        t.poll(from + 1_900_000_000L);
        assertEquals(6, t.peakAttemptsPerSecond(from), "4 and 2 within one second");

        SwitchedUnit late = new SwitchedUnit("c");
        late.attempts = 50; // a unit that joins later: its attempts before it joined are not news
        units.add(late);
        t.poll(from + 2_000_000_000L);
        assertEquals(11, t.attemptsSince(from));
    }
}
