package com.oviron.callidus.hal.modbus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.hal.SerialSettings;
import com.oviron.callidus.hal.fake.ScriptedSerialLine;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ModbusRtuMasterTest {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");
    private static final SerialSettings LINE = SerialSettings.of("/dev/null", 115_200);

    private final ScriptedSerialLine line = new ScriptedSerialLine();
    private final ModbusRtuMaster master = new ModbusRtuMaster(line, LINE, Duration.ofMillis(20), 2);

    private static byte[] frame(String hex) {
        return Crc16.append(HEX.parseHex(hex));
    }

    @Test
    void reads_holding_registers_as_in_the_specification_example() throws Exception {
        line.answer(frame("11 03 06 AE 41 56 52 43 40"));
        int[] registers = master.readHoldingRegisters(0x11, 0x6B, 3);
        assertArrayEquals(new int[] {0xAE41, 0x5652, 0x4340}, registers);
        assertArrayEquals(HEX.parseHex("11 03 00 6B 00 03 76 87"), line.written().get(0));
    }

    @Test
    void reads_input_registers_coils_and_discrete_inputs() throws Exception {
        line.answer(frame("01 04 02 12 34"));
        assertArrayEquals(new int[] {0x1234}, master.readInputRegisters(1, 7, 1));
        // 10 coils from 0x13: CD 01 = 1011 0011, 0000 0001 (LSB first)
        line.answer(frame("01 01 02 CD 01"));
        boolean[] coils = master.readCoils(1, 0x13, 10);
        assertArrayEquals(new boolean[] {true, false, true, true, false, false, true, true, true, false}, coils);
        line.answer(frame("01 02 01 05"));
        assertArrayEquals(new boolean[] {true, false, true}, master.readDiscreteInputs(1, 0, 3));
        assertArrayEquals(frame("01 02 00 00 00 03"), line.written().get(2));
    }

    @Test
    void writes_single_and_multiple_registers_and_checks_the_echo() throws Exception {
        line.answer(frame("11 06 00 01 00 03"));
        master.writeSingleRegister(0x11, 1, 3);
        assertArrayEquals(frame("11 06 00 01 00 03"), line.written().get(0));
        line.answer(frame("11 10 00 01 00 02"));
        master.writeMultipleRegisters(0x11, 1, new int[] {0x000A, 0x0102});
        assertArrayEquals(frame("11 10 00 01 00 02 04 00 0A 01 02"), line.written().get(1));
        line.answer(frame("11 06 00 01 00 04"));
        ModbusException e = assertThrows(ModbusException.class, () -> master.writeSingleRegister(0x11, 1, 3));
        assertEquals(ModbusException.Kind.MALFORMED, e.kind());
    }

    @Test
    void maps_an_exception_response_to_its_code_without_retrying() {
        line.answer(frame("01 83 02"));
        ModbusException e = assertThrows(ModbusException.class, () -> master.readHoldingRegisters(1, 9999, 1));
        assertEquals(ModbusException.Kind.EXCEPTION_RESPONSE, e.kind());
        assertEquals(2, e.exceptionCode());
        assertTrue(e.getMessage().contains("illegal data address"), e.getMessage());
        assertEquals(1, line.written().size());
    }

    @Test
    void retries_after_a_crc_error_and_takes_the_good_answer() throws Exception {
        byte[] bad = frame("01 04 02 12 34");
        bad[3] ^= 0x01;
        line.answer(bad).answer(frame("01 04 02 12 34"));
        assertArrayEquals(new int[] {0x1234}, master.readInputRegisters(1, 0, 1));
        assertEquals(2, line.written().size());
        assertEquals(1, master.stats().crcErrors());
        assertEquals(1, master.stats().retries());
    }

    @Test
    void gives_up_after_the_retries_with_a_timeout() {
        ModbusException e = assertThrows(ModbusException.class, () -> master.readInputRegisters(1, 0, 1));
        assertEquals(ModbusException.Kind.TIMEOUT, e.kind());
        assertEquals(3, line.written().size());
        assertEquals(3, master.stats().timeouts());
    }

    @Test
    void a_partial_answer_is_a_timeout_not_a_value() {
        byte[] good = frame("01 04 04 00 01 00 02");
        byte[] partial = java.util.Arrays.copyOf(good, good.length - 3);
        line.answer(partial).answer(partial).answer(partial);
        ModbusException e = assertThrows(ModbusException.class, () -> master.readInputRegisters(1, 0, 2));
        assertEquals(ModbusException.Kind.TIMEOUT, e.kind());
        assertTrue(e.getMessage().contains("partial"), e.getMessage());
    }

    @Test
    void an_answer_from_another_slave_or_with_a_wrong_count_is_malformed() {
        line.answer(frame("02 04 02 12 34")).answer(frame("01 04 04 12 34")).answer(frame("01 03 02 12 34"));
        ModbusException e = assertThrows(ModbusException.class, () -> master.readInputRegisters(1, 0, 1));
        assertEquals(ModbusException.Kind.MALFORMED, e.kind());
        assertEquals(3, master.stats().malformed() + master.stats().timeouts() + master.stats().crcErrors());
    }

    @Test
    void an_unplugged_adapter_is_an_io_error_at_once() {
        line.unplug();
        ModbusException e = assertThrows(ModbusException.class, () -> master.readInputRegisters(1, 0, 1));
        assertEquals(ModbusException.Kind.IO, e.kind());
    }

    @Test
    void refuses_requests_the_protocol_does_not_allow() {
        assertThrows(IllegalArgumentException.class, () -> master.readHoldingRegisters(0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> master.readHoldingRegisters(248, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> master.readHoldingRegisters(1, 0, 126));
        assertThrows(IllegalArgumentException.class, () -> master.readCoils(1, 0, 2001));
        assertThrows(IllegalArgumentException.class, () -> master.readInputRegisters(1, 65_535, 2));
        assertThrows(IllegalArgumentException.class, () -> master.writeSingleRegister(1, 0, 70_000));
        assertTrue(line.written().isEmpty());
    }
}
