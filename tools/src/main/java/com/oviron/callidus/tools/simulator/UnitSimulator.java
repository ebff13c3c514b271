package com.oviron.callidus.tools.simulator;

import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.SerialSettings;
import com.oviron.callidus.hal.modbus.RegisterMap;
import com.oviron.callidus.hal.serial.JsscSerialLine;
import com.oviron.callidus.hal.sim.MapRegisterBank;
import com.oviron.callidus.hal.sim.ModbusRtuSlave;
import com.oviron.callidus.hal.sim.SignalFaults;
import com.oviron.callidus.hal.sim.SimulatedCallidusBoard;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A CALLIDUS main board on a serial device: the simulated board's signals, laid out by the register map
 * and served by a Modbus RTU slave that takes as long as a real 115200-baud line would. Faults can be
 * switched at run time, both in the signals (pressure drop, over-voltage, a stuck sensor) and on the line
 * (slow or no answers, corrupted CRCs, random noise); see {@link #command(String)}.
 *
 * <p>Threads: "board-refresh" (samples the board every 50 ms into the registers) and "modbus-slave".
 */
public final class UnitSimulator implements AutoCloseable {
    static final String COMMANDS = """
            fault commands (one per line):
              pressure-drop on|off   main air falls to a third, the turbine gets half (compressor failing)
              over-voltage on|off    supply voltage 7 V too high (outside its valid range)
              stuck <channel>|off    the channel's sensor stops changing
              slow <ms>              answer this much later (0: normal)
              silent on|off          no answers at all (board off, cable cut)
              crc <percent>          answers with a flipped bit
              noise <percent>        answers with random bytes on the line
              clear                  all faults off
              status                 show the faults""";

    private final SimulatedCallidusBoard board;
    private final MapRegisterBank bank;
    private final JsscSerialLine line;
    private final ModbusRtuSlave slave;
    private final ScheduledExecutorService refresher;
    private final SignalFaults signals = new SignalFaults();
    private final Set<String> channelIds;
    private List<Reading> lastFromBoard = List.of();

    private UnitSimulator(SerialSettings settings, RegisterMap map, int slaveId, long seed, Clock clock)
            throws IOException {
        this.board = new SimulatedCallidusBoard(clock, seed);
        this.bank = new MapRegisterBank(map);
        this.channelIds = Set.copyOf(map.channels().stream().map(c -> c.channel().id()).toList());
        refresh();
        this.line = JsscSerialLine.open(settings);
        this.slave = new ModbusRtuSlave(line, settings, slaveId, bank, true, seed).start();
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "board-refresh");
            t.setDaemon(true);
            return t;
        });
        refresher.scheduleAtFixedRate(this::refresh, 50, 50, TimeUnit.MILLISECONDS);
    }

    /** Opens the device and starts answering. */
    public static UnitSimulator start(SerialSettings settings, RegisterMap map, int slaveId, long seed, Clock clock)
            throws IOException {
        return new UnitSimulator(settings, map, slaveId, seed, clock);
    }

    private synchronized void refresh() {
        apply(board.sample());
    }

    /** Writes the board's signals, with the signal faults applied, into the registers. */
    private void apply(List<Reading> fromBoard) {
        lastFromBoard = fromBoard;
        bank.update(signals.apply(fromBoard));
    }

    /** Applies one fault command (see {@link #COMMANDS}); returns what it did, or why it could not. */
    public synchronized String command(String text) {
        String[] words = text.trim().toLowerCase(Locale.ROOT).split("\\s+");
        if (words.length == 0 || words[0].isEmpty()) {
            return "";
        }
        try {
            String arg = words.length > 1 ? words[1] : "";
            switch (words[0]) {
                case "pressure-drop" -> signals.setPressureDrop(onOff(arg));
                case "over-voltage" -> signals.setOverVoltage(onOff(arg));
                case "stuck" -> {
                    if (arg.equals("off")) {
                        signals.unstickAll();
                    } else if (channelIds.contains(arg)) {
                        signals.stick(arg);
                    } else {
                        return "unknown channel '" + arg + "'; channels: " + channelIds;
                    }
                }
                case "slow" -> slave.faults().setDelayMillis(Long.parseLong(arg));
                case "silent" -> slave.faults().setSilent(onOff(arg));
                case "crc" -> slave.faults().setCrcErrorPercent(Integer.parseInt(arg));
                case "noise" -> slave.faults().setNoisePercent(Integer.parseInt(arg));
                case "clear" -> {
                    signals.clear();
                    slave.faults().clear();
                }
                case "status", "help" -> {
                    return status() + (words[0].equals("help") ? "\n" + COMMANDS : "");
                }
                default -> {
                    return "unknown command '" + words[0] + "'\n" + COMMANDS;
                }
            }
            apply(lastFromBoard); // the registers show the change at once, not at the next refresh
            return "ok: " + status();
        } catch (NumberFormatException e) {
            return "'" + text.trim() + "' needs a number";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static boolean onOff(String arg) {
        return switch (arg) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("say on or off, not '" + arg + "'");
        };
    }

    /** The faults now in force. */
    public String status() {
        return signals + " line: " + slave.faults();
    }

    /** Requests answered and frames ignored, for the display. */
    public String counters() {
        return "requests=" + slave.requests() + " answers=" + slave.answers() + " ignored=" + slave.ignored();
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        slave.close();
        line.close();
        board.close();
    }
}
