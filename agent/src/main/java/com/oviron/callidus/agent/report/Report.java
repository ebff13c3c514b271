package com.oviron.callidus.agent.report;

import com.oviron.callidus.agent.diagnostics.ChannelInfo;
import com.oviron.callidus.store.diagnostics.AlarmRecord;
import java.util.List;
import java.util.Map;

/**
 * A period report, built from the unit's aggregates, alarms and usage counters ({@link ReportBuilder}); written
 * as JSON ({@link ReportJson}) or as a self-contained HTML page ({@link ReportPage}).
 *
 * @param device        the unit
 * @param agentVersion  the agent that made it
 * @param catalogVersion the error catalog's version
 * @param fromMillis    period start (inclusive)
 * @param toMillis      period end (exclusive)
 * @param bucketMinutes bucket length
 * @param generatedAt   when it was made
 * @param channels      every channel's buckets over the period
 * @param alarms        alarms present during the period, oldest first
 * @param usageNow      usage counters now (as stored)
 * @param usagePeriod   how much each counter grew during the period (whole UTC days)
 * @param summary       the short technical summary
 */
public record Report(String device, String agentVersion, String catalogVersion, long fromMillis, long toMillis,
                     long bucketMinutes, long generatedAt, List<Series> channels, List<AlarmRecord> alarms,
                     Map<String, Long> usageNow, Map<String, Long> usagePeriod, Summary summary) {

    /** One bucket's figures. */
    public record Bucket(long start, long count, double min, double max, double mean, long observedMillis,
                         long outOfRangeMillis) {
    }

    /** A channel over the period. */
    public record Series(ChannelInfo channel, List<Bucket> buckets, long count, double min, double max, double mean,
                         long observedMillis, long outOfRangeMillis) {
    }

    /** A channel whose level moved between the start and the end of the period. */
    public record Drift(String channel, double startMean, double endMean, double change, String unit) {
    }

    /** How often each alarm code was raised during the period. */
    public record CodeCount(String code, long alarms, long raises) {
    }

    /**
     * @param drifted    channels whose mean over the last quarter of the period differs from the first quarter's
     *                   by more than {@link ReportBuilder#DRIFT_SHARE} of their valid range
     * @param alarmsByCode alarm codes raised, most frequent first
     * @param outOfRange channels with time out of range, most first
     * @param coveredMillis the time any channel has data for
     */
    public record Summary(List<Drift> drifted, List<CodeCount> alarmsByCode, List<Series> outOfRange,
                          long coveredMillis) {
    }
}
