package com.oviron.callidus.hal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A port that reads every channel on every sample (the simulated board) given a {@link ChannelSchedule}: of
 * each sample it passes on only the readings of the channels that are due, and of those only the ones outside
 * their deadband, as the Modbus board does with its register map. So a simulated unit sends what a unit with
 * that map sends (its readings per second, its bytes per day).
 */
public final class ScheduledSensorPort implements SensorPort {
    private final SensorPort port;
    private final ChannelSchedule schedule;
    private final Clock clock;

    /**
     * @param port     reads every channel on every sample
     * @param schedule which channels are due and reported
     * @param clock    the clock the port stamps its readings with
     */
    public ScheduledSensorPort(SensorPort port, ChannelSchedule schedule, Clock clock) {
        this.port = port;
        this.schedule = schedule;
        this.clock = clock;
    }

    @Override
    public List<Channel> channels() {
        return port.channels();
    }

    @Override
    public List<Reading> sample() throws HalException {
        Instant now = clock.instant();
        schedule.begin(now);
        List<Reading> all;
        try {
            all = port.sample();
        } catch (HalException e) {
            schedule.sampleFailed();
            throw e;
        }
        List<Reading> out = new ArrayList<>(all.size());
        for (Reading r : all) {
            if (schedule.due(r.channelId(), now) && schedule.report(r)) {
                out.add(r);
            }
        }
        return out;
    }

    @Override
    public Map<String, Long> diagnostics() {
        return port.diagnostics();
    }

    @Override
    public void close() {
        port.close();
    }
}
