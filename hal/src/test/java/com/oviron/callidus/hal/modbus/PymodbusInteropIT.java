package com.oviron.callidus.hal.modbus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.hal.SerialSettings;
import com.oviron.callidus.hal.serial.JsscSerialLine;
import com.oviron.callidus.hal.testing.SocatPty;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop: our master, through jssc and a real pseudo-terminal pair, against a Modbus slave this project did
 * not write (Debian's python3-pymodbus 3.0, started by the test). Proves framing, CRC, function codes, bit
 * order and exception responses against an independent implementation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PymodbusInteropIT {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    static Path dir;
    private SocatPty pty;
    private Process slave;
    private JsscSerialLine line;
    private ModbusRtuMaster master;

    @BeforeAll
    void start() throws Exception {
        pty = new SocatPty(dir);
        Path script = dir.resolve("rtu_slave.py");
        try (InputStream in = getClass().getResourceAsStream("/pymodbus/rtu_slave.py")) {
            Files.write(script, in.readAllBytes());
        }
        slave = new ProcessBuilder(PYTHON.toString(), script.toString(), pty.b().toString(), "115200", "7")
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(slave.getInputStream(), StandardCharsets.UTF_8));
        String first = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (java.io.IOException e) {
                return "unreadable: " + e;
            }
        }).get(60, TimeUnit.SECONDS);
        assertEquals("ready", first, "pymodbus slave did not start (needs Debian's python3-pymodbus, python3-serial"
                + " and python3-serial-asyncio; tools/test installs them)");
        SerialSettings settings = SerialSettings.of(pty.a().toString(), 115_200);
        line = JsscSerialLine.open(settings);
        // python's asyncio slave on a loaded build machine can take seconds to answer: a short timeout would
        // fail the interop tests for the machine's speed (another_slave_id_gets_no_answer waits 3 of them)
        master = new ModbusRtuMaster(line, settings, Duration.ofSeconds(2), 2);
    }

    @AfterAll
    void stop() {
        if (line != null) {
            line.close();
        }
        if (slave != null) {
            slave.destroyForcibly();
        }
        pty.close();
    }

    @Test
    void reads_holding_and_input_registers() throws Exception {
        assertArrayEquals(new int[] {1000, 1001, 1002, 1003, 1004}, master.readHoldingRegisters(7, 0, 5));
        assertArrayEquals(new int[] {2010, 2011, 2012}, master.readInputRegisters(7, 10, 3));
        int[] many = master.readInputRegisters(7, 0, 100);
        for (int i = 0; i < 100; i++) {
            assertEquals(2000 + i, many[i]);
        }
    }

    @Test
    void reads_coils_and_discrete_inputs_in_the_right_bit_order() throws Exception {
        boolean[] coils = master.readCoils(7, 0, 13);
        for (int i = 0; i < 13; i++) {
            assertEquals(i % 3 == 0, coils[i], "coil " + i);
        }
        boolean[] inputs = master.readDiscreteInputs(7, 3, 9);
        for (int i = 0; i < 9; i++) {
            assertEquals((3 + i) % 2 == 1, inputs[i], "discrete input " + (3 + i));
        }
    }

    @Test
    void writes_registers_that_read_back() throws Exception {
        master.writeSingleRegister(7, 50, 0xBEEF);
        assertArrayEquals(new int[] {0xBEEF}, master.readHoldingRegisters(7, 50, 1));
        master.writeMultipleRegisters(7, 60, new int[] {1, 2, 0xFFFF});
        assertArrayEquals(new int[] {1, 2, 0xFFFF}, master.readHoldingRegisters(7, 60, 3));
    }

    @Test
    void an_address_the_slave_lacks_is_an_exception_response() {
        ModbusException e = assertThrows(ModbusException.class, () -> master.readHoldingRegisters(7, 99, 5));
        assertEquals(ModbusException.Kind.EXCEPTION_RESPONSE, e.kind());
        assertEquals(2, e.exceptionCode());
    }

    @Test
    void another_slave_id_gets_no_answer() {
        ModbusException e = assertThrows(ModbusException.class, () -> master.readHoldingRegisters(8, 0, 1));
        assertEquals(ModbusException.Kind.TIMEOUT, e.kind());
        assertTrue(master.stats().timeouts() >= 3);
    }
}
