package com.oviron.callidus.cloud.paho;

import com.oviron.callidus.cloud.IntervalLog;
import com.oviron.callidus.cloud.LinkStats;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.tinylog.Logger;

/** What the link refused or repaired since start ({@link LinkStats}), and the once-a-minute log of oversized ones. */
final class LinkCounters {
    private static final Duration OVERSIZED_LOG_INTERVAL = Duration.ofMinutes(1);

    private final IntervalLog oversizedLog = new IntervalLog(OVERSIZED_LOG_INTERVAL);
    private final AtomicLong oversized = new AtomicLong();
    private final AtomicLong silentCloses = new AtomicLong();
    private final AtomicLong abandonedConnects = new AtomicLong();
    private final AtomicLong connectAttempts = new AtomicLong();

    /** A message too large to read was dropped (on the socket's reading thread). */
    void oversized() {
        oversized.incrementAndGet();
    }

    /** Logs a dropped message, at most once a minute with the count of those not logged. */
    void logOversized(String topic, int qos, long bytes, int maxBytes) {
        long suppressed = oversizedLog.occurred();
        if (suppressed >= 0) {
            Logger.warn("mqtt incoming message too large, dropped unread topic={} qos={} bytes={} maxBytes={}"
                    + " droppedSinceStart={} notLogged={}", topic, qos, bytes, maxBytes, oversized.get(), suppressed);
        }
    }

    void silentBrokerClosed() {
        silentCloses.incrementAndGet();
    }

    /** A connect attempt begins (the socket is about to be opened). */
    void connectStarted() {
        connectAttempts.incrementAndGet();
    }

    void connectAbandoned() {
        abandonedConnects.incrementAndGet();
    }

    LinkStats stats() {
        return new LinkStats(oversized.get(), silentCloses.get(), abandonedConnects.get(), 0, 0, connectAttempts.get());
    }
}
