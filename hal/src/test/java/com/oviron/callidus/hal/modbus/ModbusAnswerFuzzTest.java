package com.oviron.callidus.hal.modbus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.oviron.callidus.hal.SerialSettings;
import com.oviron.callidus.hal.fake.ScriptedSerialLine;
import java.time.Duration;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Property-based fuzzing of the master's answer checks: whatever comes back on the line, the master either
 * returns exactly the values the slave sent or throws a {@link ModbusException}; no other exception
 * escapes and no value comes from a frame that was damaged.
 */
class ModbusAnswerFuzzTest {
    private static final SerialSettings LINE = SerialSettings.of("/dev/null", 115_200);

    private static ModbusRtuMaster master(ScriptedSerialLine line) {
        return new ModbusRtuMaster(line, LINE, Duration.ofMillis(1), 0);
    }

    private static byte[] answer(int slave, int[] registers) {
        byte[] pdu = new byte[3 + 2 * registers.length];
        pdu[0] = (byte) slave;
        pdu[1] = 4;
        pdu[2] = (byte) (2 * registers.length);
        for (int i = 0; i < registers.length; i++) {
            pdu[3 + 2 * i] = (byte) (registers[i] >>> 8);
            pdu[4 + 2 * i] = (byte) registers[i];
        }
        return Crc16.append(pdu);
    }

    @Provide
    Arbitrary<int[]> registers() {
        return Arbitraries.integers().between(0, 0xFFFF).array(int[].class).ofMinSize(1).ofMaxSize(125);
    }

    @Property(tries = 2_000)
    void random_bytes_on_the_line_give_an_error_never_an_unchecked_exception(
            @ForAll @Size(max = 300) byte[] garbage, @ForAll @IntRange(min = 1, max = 125) int count) {
        ScriptedSerialLine line = new ScriptedSerialLine().answer(garbage);
        try {
            master(line).readInputRegisters(1, 0, count);
        } catch (ModbusException expected) {
            return;
        }
        // only a frame that is well formed by chance may pass; then it must be exactly that frame
        assertArrayEquals(Arrays.copyOf(garbage, 5 + 2 * count), answer(1, decode(garbage, count)));
    }

    @Property(tries = 2_000)
    void up_to_three_flipped_bits_are_always_caught(@ForAll("registers") int[] registers,
                                                     @ForAll @IntRange(min = 1, max = 3) int flips,
                                                     @ForAll long seed) {
        byte[] frame = answer(1, registers);
        java.util.Random random = new java.util.Random(seed);
        java.util.Set<Integer> bits = new java.util.HashSet<>();
        while (bits.size() < flips) {
            bits.add(random.nextInt(frame.length * 8));
        }
        for (int bit : bits) {
            frame[bit / 8] ^= (byte) (1 << (bit % 8));
        }
        ScriptedSerialLine line = new ScriptedSerialLine().answer(frame);
        try {
            master(line).readInputRegisters(1, 0, registers.length);
            throw new AssertionError("a frame with " + flips + " flipped bits was accepted");
        } catch (ModbusException expected) {
            // CRC-16 has Hamming distance 4 at these lengths: 1 to 3 bit errors are always detected
        }
    }

    @Property(tries = 1_000, seed = "42")
    void inserted_or_dropped_bytes_never_yield_different_values(@ForAll("registers") int[] registers,
                                                                @ForAll @Size(min = 1, max = 4) byte[] noise,
                                                                @ForAll @IntRange(min = 0, max = 260) int at,
                                                                @ForAll boolean drop) {
        byte[] frame = answer(1, registers);
        int position = at % (frame.length + 1);
        byte[] damaged;
        if (drop) {
            int n = Math.min(noise.length, frame.length - position);
            damaged = new byte[frame.length - n];
            System.arraycopy(frame, 0, damaged, 0, position);
            System.arraycopy(frame, position + n, damaged, position, frame.length - position - n);
            if (n == 0) {
                return;
            }
        } else {
            damaged = new byte[frame.length + noise.length];
            System.arraycopy(frame, 0, damaged, 0, position);
            System.arraycopy(noise, 0, damaged, position, noise.length);
            System.arraycopy(frame, position, damaged, position + noise.length, frame.length - position);
        }
        ScriptedSerialLine line = new ScriptedSerialLine().answer(damaged);
        int[] got;
        try {
            got = master(line).readInputRegisters(1, 0, registers.length);
        } catch (ModbusException expected) {
            return;
        }
        // noise appended after a complete frame is harmless: the frame itself was intact
        assertArrayEquals(registers, got);
    }

    private static int[] decode(byte[] frame, int count) {
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = ((frame[3 + 2 * i] & 0xFF) << 8) | (frame[4 + 2 * i] & 0xFF);
        }
        return out;
    }
}
