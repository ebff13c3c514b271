package com.oviron.callidus.hal.fake;

import com.oviron.callidus.hal.Channel;
import com.oviron.callidus.hal.HalException;
import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.SensorPort;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A sensor port for tests: every sample gives channel {@code i} the value {@code sampleNumber * 1000 + i},
 * so a receiver can tell exactly which reading it got. Remembers every reading it handed out and can be
 * told to fail the next samples. Thread-safe so that a test thread can inspect it while the agent samples.
 */
public final class ScriptedSensorPort implements SensorPort {
    private final List<Channel> channels;
    private final Clock clock;
    private final List<Reading> handedOut = new ArrayList<>();
    private long samples;
    private int failNext;
    private boolean closed;

    public ScriptedSensorPort(Clock clock, int channelCount) {
        this.clock = clock;
        List<Channel> list = new ArrayList<>();
        for (int i = 0; i < channelCount; i++) {
            list.add(new Channel("ch" + i, "Channel " + i, "u"));
        }
        this.channels = List.copyOf(list);
    }

    @Override
    public List<Channel> channels() {
        return channels;
    }

    @Override
    public synchronized List<Reading> sample() throws HalException {
        if (closed) {
            throw new IllegalStateException("port closed");
        }
        if (failNext > 0) {
            failNext--;
            throw new HalException("scripted failure");
        }
        samples++;
        Instant now = clock.instant();
        List<Reading> out = new ArrayList<>(channels.size());
        for (int i = 0; i < channels.size(); i++) {
            out.add(new Reading(channels.get(i).id(), samples * 1000.0 + i, now, Quality.GOOD));
        }
        handedOut.addAll(out);
        return out;
    }

    /** The next {@code count} calls to {@link #sample()} throw {@link HalException}. */
    public synchronized void failNext(int count) {
        failNext = count;
    }

    /** Every reading handed out so far, in order. */
    public synchronized List<Reading> handedOut() {
        return Collections.unmodifiableList(new ArrayList<>(handedOut));
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
