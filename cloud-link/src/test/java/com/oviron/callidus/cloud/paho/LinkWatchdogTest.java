package com.oviron.callidus.cloud.paho;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.paho.LinkWatchdog.Verdict;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LinkWatchdogTest {
    private static final long S = 1_000_000_000L;
    private final LinkWatchdog watch = new LinkWatchdog(Duration.ofSeconds(30), Duration.ofSeconds(10),
            Duration.ofSeconds(5));

    @Test
    void a_session_is_cut_once_the_broker_was_silent_for_one_and_a_half_keep_alives() {
        watch.attemptStarted(0);
        watch.sessionUp(1 * S);
        long lastByte = 20 * S;
        assertEquals(Verdict.NOTHING, watch.check(50 * S, lastByte), "30 s of silence: the client pings now");
        assertEquals(Verdict.NOTHING, watch.check(65 * S, lastByte), "exactly 1.5 intervals");
        assertEquals(Verdict.CUT_SILENT_SESSION, watch.check(65 * S + 1, lastByte));
        assertEquals(45_000, watch.silenceLimitMillis());
        assertEquals(45_000, watch.lastSilenceMillis());
        assertEquals(Verdict.NOTHING, watch.check(66 * S, lastByte), "cut once");
        assertTrue(watch.sessionCutPending());
        assertTrue(watch.clientReportedLoss(), "the client's report of that session is expected");
        assertFalse(watch.clientReportedLoss(), "another one is a real loss");
    }

    @Test
    void the_silence_counts_from_the_session_start_not_from_a_byte_of_an_older_session() {
        watch.attemptStarted(100 * S);
        watch.sessionUp(101 * S);
        assertEquals(Verdict.NOTHING, watch.check(140 * S, 5 * S));
        assertEquals(Verdict.CUT_SILENT_SESSION, watch.check(147 * S, 5 * S));
    }

    @Test
    void a_byte_from_the_broker_keeps_the_session() {
        watch.sessionUp(0);
        for (long t = 10; t < 500; t += 10) {
            assertEquals(Verdict.NOTHING, watch.check(t * S, (t - 10) * S));
        }
    }

    @Test
    void a_connect_without_connack_is_cut_after_the_timeout_and_given_up_after_the_grace() {
        watch.attemptStarted(0);
        assertEquals(Verdict.NOTHING, watch.check(10 * S, 0));
        assertFalse(watch.connectWasCut());
        assertEquals(Verdict.CUT_CONNECT, watch.check(10 * S + 1, 0));
        assertTrue(watch.connectWasCut());
        assertEquals(Verdict.NOTHING, watch.check(14 * S, 0));
        assertEquals(Verdict.GIVE_UP_CONNECT, watch.check(15 * S + 2, 0));
        assertEquals(Verdict.NOTHING, watch.check(100 * S, 0));
        watch.attemptStarted(200 * S);
        assertFalse(watch.connectWasCut(), "a new attempt starts uncut");
    }

    @Test
    void a_cut_session_the_client_never_reports_is_cleaned_up_after_the_grace() {
        watch.sessionUp(0);
        assertEquals(Verdict.CUT_SILENT_SESSION, watch.check(46 * S, 0));
        assertEquals(Verdict.NOTHING, watch.check(50 * S, 0));
        assertEquals(Verdict.CLEAN_UP_CUT_SESSION, watch.check(51 * S + 1, 0));
        assertFalse(watch.sessionCutPending());
    }

    @Test
    void nothing_is_watched_while_idle_or_without_keep_alive() {
        assertEquals(Verdict.NOTHING, watch.check(1000 * S, 0));
        LinkWatchdog noKeepAlive = new LinkWatchdog(Duration.ZERO, Duration.ofSeconds(10), Duration.ofSeconds(5));
        noKeepAlive.sessionUp(0);
        assertEquals(Verdict.NOTHING, noKeepAlive.check(1000 * S, 0));
    }
}
