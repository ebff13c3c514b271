package com.oviron.callidus.hal.sim;

import com.oviron.callidus.hal.Channel;
import com.oviron.callidus.hal.HalException;
import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.SensorPort;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A load generator for benchmarks: the wrapped board's channels and {@code count} more, {@code synthetic_01},
 * {@code synthetic_02}, ..., each a random walk between 0 and 100, read with every sample of the board at the
 * board's time. The CALLIDUS board has nine channels; the performance goals are stated for a unit with 50 read
 * at 10 Hz (docs/performance.md), which this makes with 41. Never a unit's data: it wraps the simulator only
 * ({@code hal.simulatorExtraChannels}).
 */
public final class SyntheticChannelsPort implements SensorPort {
    /** The most synthetic channels a port may add. */
    public static final int MAX_COUNT = 500;
    private static final double LOW = 0;
    private static final double HIGH = 100;

    private final SensorPort board;
    private final List<Channel> channels;
    private final String[] ids;
    private final double[] values;
    private final Random random;

    /**
     * @param board what to add the channels to
     * @param count how many, 1 to {@link #MAX_COUNT}
     * @param seed  the random walks' seed
     */
    public SyntheticChannelsPort(SensorPort board, int count, long seed) {
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("count must be 1 to " + MAX_COUNT + ", got " + count);
        }
        this.board = board;
        this.random = new Random(seed);
        this.ids = new String[count];
        this.values = new double[count];
        List<Channel> all = new ArrayList<>(board.channels());
        for (int i = 0; i < count; i++) {
            ids[i] = String.format("synthetic_%02d", i + 1);
            values[i] = LOW + (HIGH - LOW) * random.nextDouble();
            all.add(new Channel(ids[i], "Synthetic load channel " + (i + 1), "1"));
        }
        this.channels = List.copyOf(all);
    }

    @Override
    public List<Channel> channels() {
        return channels;
    }

    /** The board's readings, then one of each synthetic channel at the time of the board's first reading. */
    @Override
    public List<Reading> sample() throws HalException {
        List<Reading> fromBoard = board.sample();
        if (fromBoard.isEmpty()) {
            return fromBoard; // nothing due on the board: nothing due here either
        }
        Instant at = fromBoard.get(0).timestamp();
        List<Reading> out = new ArrayList<>(fromBoard.size() + ids.length);
        out.addAll(fromBoard);
        for (int i = 0; i < ids.length; i++) {
            double v = values[i] + random.nextGaussian() * 0.5;
            v = v < LOW ? LOW : v > HIGH ? HIGH : v;
            values[i] = v;
            out.add(new Reading(ids[i], Math.round(v * 1000) / 1000.0, at, Quality.GOOD));
        }
        return out;
    }

    @Override
    public Map<String, Long> diagnostics() {
        return board.diagnostics();
    }

    @Override
    public void close() {
        board.close();
    }
}
