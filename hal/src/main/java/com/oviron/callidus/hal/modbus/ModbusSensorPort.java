package com.oviron.callidus.hal.modbus;

import com.oviron.callidus.hal.Channel;
import com.oviron.callidus.hal.ChannelSchedule;
import com.oviron.callidus.hal.HalException;
import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.SensorPort;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tinylog.Logger;

/**
 * The CALLIDUS board over Modbus RTU: each {@link #sample()} reads the channels that are due (per-channel
 * sample period), coalescing neighbouring registers into one request, and turns raw registers into readings
 * with a quality:
 * <ul>
 *   <li>GOOD: answered, within the channel's valid range;</li>
 *   <li>OUT_OF_RANGE: answered, outside it (the value is kept: it is the diagnosis);</li>
 *   <li>STALE: no answer (timeout): the last good value, or NaN if there was none;</li>
 *   <li>COMM_ERROR: garbage (CRC error, malformed answer, exception response): NaN, never a value from a
 *       frame that failed its checks.</li>
 * </ul>
 * A channel with a deadband is reported only when its value moved by more than the deadband, or its
 * quality changed, or a whole sample failed since its last report ({@link ChannelSchedule}). When the serial device itself is gone, the sample fails with a {@link HalException}
 * (the agent counts it) instead of producing readings.
 */
public final class ModbusSensorPort implements SensorPort {
    private final ModbusRtuMaster master;
    private final RegisterMap map;
    private final int slaveId;
    private final int maxGap;
    private final Clock clock;
    private final AutoCloseable line;
    private final List<Channel> channels;
    private final ChannelSchedule schedule;
    private final Map<String, Double> lastGood = new HashMap<>();
    private long failedCycles;
    private boolean closed;

    /**
     * @param master  the master on the board's line
     * @param map     the register map
     * @param slaveId the board's Modbus address
     * @param maxGap  most unused registers between two channels read in one request
     * @param clock   stamps the readings
     * @param line    closed with this port (the serial line the master uses)
     */
    public ModbusSensorPort(ModbusRtuMaster master, RegisterMap map, int slaveId, int maxGap, Clock clock,
                            AutoCloseable line) {
        this.master = master;
        this.map = map;
        this.slaveId = slaveId;
        this.maxGap = maxGap;
        this.clock = clock;
        this.line = line;
        this.channels = map.channels().stream().map(RegisterChannel::channel).toList();
        this.schedule = schedule(map);
    }

    /** The map's sample periods and deadbands. */
    public static ChannelSchedule schedule(RegisterMap map) {
        return new ChannelSchedule(map.channels().stream()
                .map(c -> new ChannelSchedule.Timing(c.channel().id(), c.samplePeriod(), c.deadband())).toList());
    }

    @Override
    public List<Channel> channels() {
        return channels;
    }

    /**
     * Reads the channels due now. A channel that is not due, or whose value stayed within its deadband, is
     * left out; every other one is in the list, with a non-GOOD quality if it could not be read.
     *
     * @throws HalException when the serial device itself is unavailable (no channel could be read)
     */
    @Override
    public List<Reading> sample() throws HalException {
        if (closed) {
            throw new IllegalStateException("port closed");
        }
        Instant now = clock.instant();
        schedule.begin(now);
        List<RegisterChannel> due = new ArrayList<>();
        for (RegisterChannel c : map.channels()) {
            if (schedule.due(c.channel().id(), now)) {
                due.add(c);
            }
        }
        Map<RegisterChannel, Reading> cycle = new java.util.LinkedHashMap<>();
        ModbusException deviceGone = null;
        int blocksRead = 0;
        for (ReadPlan.Block block : ReadPlan.of(due, maxGap)) {
            try {
                int[] words = read(block);
                blocksRead++;
                for (RegisterChannel c : block.channels()) {
                    cycle.put(c, decoded(c, words, c.address() - block.start(), now));
                }
            } catch (ModbusException e) {
                if (e.kind() == ModbusException.Kind.IO) {
                    deviceGone = e;
                }
                for (RegisterChannel c : block.channels()) {
                    cycle.put(c, failed(c, e, now));
                }
            }
        }
        if (deviceGone != null && blocksRead == 0) {
            // nothing was on the line at all: a failed sample for the agent to count, not readings
            failedCycles++;
            schedule.sampleFailed();
            throw new HalException("serial device unavailable: " + deviceGone.getMessage(), deviceGone);
        }
        List<Reading> out = new ArrayList<>(cycle.size());
        for (Reading r : cycle.values()) {
            if (schedule.report(r)) {
                out.add(r);
            }
        }
        return out;
    }

    private int[] read(ReadPlan.Block block) throws ModbusException {
        return switch (block.kind()) {
            case HOLDING -> master.readHoldingRegisters(slaveId, block.start(), block.count());
            case INPUT -> master.readInputRegisters(slaveId, block.start(), block.count());
            case COIL -> bits(master.readCoils(slaveId, block.start(), block.count()));
            case DISCRETE_INPUT -> bits(master.readDiscreteInputs(slaveId, block.start(), block.count()));
        };
    }

    private static int[] bits(boolean[] bits) {
        int[] out = new int[bits.length];
        for (int i = 0; i < bits.length; i++) {
            out[i] = bits[i] ? 1 : 0;
        }
        return out;
    }

    private Reading decoded(RegisterChannel c, int[] words, int index, Instant now) {
        double value = c.decode(words, index);
        String id = c.channel().id();
        if (!Double.isFinite(value)) {
            return new Reading(id, Double.NaN, now, Quality.COMM_ERROR);
        }
        if (value < c.validMin() || value > c.validMax()) {
            return new Reading(id, value, now, Quality.OUT_OF_RANGE);
        }
        lastGood.put(id, value);
        return new Reading(id, value, now, Quality.GOOD);
    }

    private Reading failed(RegisterChannel c, ModbusException e, Instant now) {
        String id = c.channel().id();
        return switch (e.kind()) {
            case TIMEOUT, IO -> new Reading(id, lastGood.getOrDefault(id, Double.NaN), now, Quality.STALE);
            case CRC, MALFORMED, EXCEPTION_RESPONSE -> new Reading(id, Double.NaN, now, Quality.COMM_ERROR);
        };
    }

    @Override
    public Map<String, Long> diagnostics() {
        ModbusRtuMaster.Stats s = master.stats();
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        out.put("transactions", s.transactions());
        out.put("retries", s.retries());
        out.put("timeouts", s.timeouts());
        out.put("crcErrors", s.crcErrors());
        out.put("exceptionResponses", s.exceptionResponses());
        out.put("malformed", s.malformed());
        out.put("ioErrors", s.ioErrors());
        out.put("deviceUnavailableCycles", failedCycles);
        out.put("bytesSent", s.bytesSent());
        out.put("bytesReceived", s.bytesReceived());
        return out;
    }

    /** The master's counters. */
    public ModbusRtuMaster.Stats stats() {
        return master.stats();
    }

    /** Sample cycles in which the serial device was unavailable. */
    public long failedCycles() {
        return failedCycles;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            line.close();
        } catch (Exception e) {
            Logger.warn("serial line close failed error={}", e.getMessage());
        }
    }
}
