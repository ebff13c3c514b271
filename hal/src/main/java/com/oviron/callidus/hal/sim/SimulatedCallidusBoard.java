package com.oviron.callidus.hal.sim;

import com.oviron.callidus.hal.Channel;
import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.SensorPort;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A CALLIDUS main board in software, with signals shaped like the real unit's: a 24 V supply that sags
 * under motor load, a compressor that keeps the main air between its cut-in and cut-out pressures, a turbine
 * and a micromotor that the (simulated) dentist picks up and puts down, heated water, suction while an
 * instrument is active and a board that warms up slowly. The dentist's day shapes it: instruments are used
 * much more in surgery hours than at night, and the supply drifts with the mains load over the day; every
 * signal carries sensor noise.
 *
 * <p>Deterministic for a given seed and sequence of clock instants, so tests can assert on it.
 * Not thread-safe, like every {@link SensorPort}.
 */
public final class SimulatedCallidusBoard implements SensorPort {

    /** The channels of the CALLIDUS board, in wire order. */
    public static final List<Channel> CHANNELS = List.of(
            new Channel("supply_voltage", "Supply voltage", "V"),
            new Channel("motor1_current", "Micromotor 1 current", "A"),
            new Channel("motor2_current", "Micromotor 2 current", "A"),
            new Channel("main_air_pressure", "Main air pressure", "bar"),
            new Channel("turbine_air_pressure", "Turbine air pressure", "bar"),
            new Channel("water_pressure", "Water pressure", "bar"),
            new Channel("water_temperature", "Water temperature", "°C"),
            new Channel("suction_vacuum", "Suction vacuum", "kPa"),
            new Channel("board_temperature", "Board temperature", "°C"));

    /** Which instrument the simulated dentist holds. */
    enum Instrument { NONE, TURBINE, MOTOR1, MOTOR2 }

    private static final double COMPRESSOR_CUT_IN_BAR = 5.0;
    private static final double COMPRESSOR_CUT_OUT_BAR = 6.5;

    private final Clock clock;
    private final Random random;
    private Instant last;
    private Instrument instrument = Instrument.NONE;
    private Instant instrumentUntil;
    private double mainAir = 6.0;
    private boolean compressorOn;
    private double waterTemp = 36.5;
    private double boardTemp = 38.0;
    private double turbineAir;
    private double vacuum;
    private boolean closed;

    public SimulatedCallidusBoard(Clock clock, long seed) {
        this.clock = clock;
        this.random = new Random(seed);
        this.last = clock.instant();
        this.instrumentUntil = last.plusSeconds(2);
    }

    @Override
    public List<Channel> channels() {
        return CHANNELS;
    }

    @Override
    public List<Reading> sample() {
        if (closed) {
            throw new IllegalStateException("board is closed");
        }
        Instant now = clock.instant();
        double dt = Math.max(0, Duration.between(last, now).toNanos() / 1e9);
        last = now;
        advance(now, dt);

        double motor1 = instrument == Instrument.MOTOR1 ? 1.8 + noise(0.15) : Math.abs(noise(0.005));
        double motor2 = instrument == Instrument.MOTOR2 ? 1.4 + noise(0.12) : Math.abs(noise(0.005));
        double load = motor1 + motor2 + (compressorOn ? 3.0 : 0);
        // mains load over the day moves the supply a little: lowest in the afternoon
        // (seconds of the UTC day, as atZone(UTC).toLocalTime().toSecondOfDay() without its objects: this runs
        // on every sample)
        double hourOfDay = Math.floorMod(now.getEpochSecond(), 86_400L) / 3600.0;
        double mainsDrift = -0.1 * Math.sin(Math.PI * (hourOfDay - 6) / 12);
        double supply = 24.2 + mainsDrift - 0.15 * load + noise(0.03);
        double waterPressure = (instrument == Instrument.NONE ? 2.2 : 1.9) + noise(0.02);

        List<Reading> out = new ArrayList<>(CHANNELS.size());
        out.add(good("supply_voltage", supply, now));
        out.add(good("motor1_current", motor1, now));
        out.add(good("motor2_current", motor2, now));
        out.add(good("main_air_pressure", mainAir + noise(0.01), now));
        out.add(good("turbine_air_pressure", Math.max(0, turbineAir + noise(0.01)), now));
        out.add(good("water_pressure", waterPressure, now));
        out.add(good("water_temperature", waterTemp + noise(0.05), now));
        out.add(good("suction_vacuum", vacuum + noise(0.1), now));
        out.add(good("board_temperature", boardTemp + noise(0.05), now));
        return out;
    }

    private void advance(Instant now, double dt) {
        if (!now.isBefore(instrumentUntil)) {
            pickInstrument(now);
        }
        // air: the instruments use it, the compressor refills it with hysteresis
        double use = switch (instrument) {
            case TURBINE -> 0.12;
            case MOTOR1, MOTOR2 -> 0.05;
            case NONE -> 0.01;
        };
        mainAir += (compressorOn ? 0.25 : 0) * dt - use * dt;
        if (mainAir <= COMPRESSOR_CUT_IN_BAR) {
            compressorOn = true;
        } else if (mainAir >= COMPRESSOR_CUT_OUT_BAR) {
            compressorOn = false;
        }
        turbineAir = approach(turbineAir, instrument == Instrument.TURBINE ? 2.8 : 0, 4.0, dt);
        vacuum = approach(vacuum, instrument == Instrument.NONE ? 0 : -18.0, 2.0, dt);
        waterTemp = approach(waterTemp, 37.0, 0.02, dt);
        double boardTarget = 40.0 + (instrument == Instrument.NONE ? 0 : 4.0) + (compressorOn ? 2.0 : 0);
        boardTemp = approach(boardTemp, boardTarget, 0.01, dt);
    }

    private void pickInstrument(Instant now) {
        Instrument[] all = Instrument.values();
        boolean inUse = random.nextDouble() < usageShare(now);
        instrument = inUse ? all[1 + random.nextInt(all.length - 1)] : Instrument.NONE;
        instrumentUntil = now.plusMillis(1_500 + random.nextInt(6_000));
    }

    /**
     * The clinic's day (clock time, UTC standing in for local time): an instrument is in the hand about half
     * of the time during surgery hours, less over lunch, and rarely (cleaning, maintenance) at night.
     */
    static double usageShare(Instant now) {
        int hour = now.atZone(ZoneOffset.UTC).getHour();
        if (hour >= 8 && hour < 12 || hour >= 13 && hour < 18) {
            return 0.5;
        }
        if (hour == 12 || hour == 7 || hour == 18) {
            return 0.2;
        }
        return 0.05;
    }

    /** First-order lag towards target with the given rate (1/s). */
    private static double approach(double value, double target, double rate, double dt) {
        double k = 1 - Math.exp(-rate * dt);
        return value + (target - value) * k;
    }

    private double noise(double sigma) {
        return random.nextGaussian() * sigma;
    }

    private static Reading good(String channel, double value, Instant at) {
        return new Reading(channel, Math.round(value * 1000) / 1000.0, at, Quality.GOOD);
    }

    /** Which instrument is in use now; the GPIO layer will expose this as "treatment in progress". */
    Instrument instrument() {
        return instrument;
    }

    @Override
    public void close() {
        closed = true;
    }
}
