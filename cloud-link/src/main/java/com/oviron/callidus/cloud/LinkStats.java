package com.oviron.callidus.cloud;

/**
 * What the link had to refuse or repair since start, for diagnostics and health.
 *
 * @param oversizedDropped   messages from the broker larger than the unit reads, dropped unread
 * @param silentBrokerCloses connections closed because the broker sent nothing for 1.5 keep-alive intervals
 * @param connectsAbandoned  connect attempts given up because no CONNACK came within the connect timeout
 * @param repliesDropped     command replies dropped because the reply queue was full (the command journal
 *                           still holds each: the cloud gets it by repeating the command)
 * @param liveDropped        live-data messages (QoS 0) dropped because their queue was full
 * @param connectAttempts    connect attempts started (the first one included): how hard the unit knocked on the
 *                           brokers' doors, whether they answered or not
 */
public record LinkStats(long oversizedDropped, long silentBrokerCloses, long connectsAbandoned, long repliesDropped,
                        long liveDropped, long connectAttempts) {
    /** Nothing happened. */
    public static final LinkStats NONE = new LinkStats(0, 0, 0, 0, 0, 0);

    /** The counters of a wrapper added to those of the connection it wraps. */
    public LinkStats plus(LinkStats other) {
        return new LinkStats(oversizedDropped + other.oversizedDropped, silentBrokerCloses + other.silentBrokerCloses,
                connectsAbandoned + other.connectsAbandoned, repliesDropped + other.repliesDropped,
                liveDropped + other.liveDropped, connectAttempts + other.connectAttempts);
    }
}
