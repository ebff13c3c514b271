package com.oviron.callidus.hal.modbus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Crc16Test {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    /** Frames from the Modbus specifications (Application Protocol and Serial Line guide) with their CRC. */
    @ParameterizedTest
    @CsvSource({
        // (each vector also checked against pymodbus.utilities.computeCRC, an independent implementation)
        // "Modbus over serial line" v1.02, 6.2.2: CRC of 02 07 is 1241, sent 41 12
        "02 07, 41 12",
        // the classic read holding registers example: slave 0x11, 3 registers from 0x006B
        "11 03 00 6B 00 03, 76 87",
        // its answer: 6 data bytes AE41 5652 4340
        "11 03 06 AE 41 56 52 43 40, 49 AD",
        // write single register 0x0001 = 0x0003 to slave 0x11
        "11 06 00 01 00 03, 9A 9B",
        // read 10 input registers from 0 of slave 1
        "01 04 00 00 00 0A, 70 0D"
    })
    void matches_the_specification_vectors(String frame, String crc) {
        byte[] withCrc = Crc16.append(HEX.parseHex(frame));
        byte[] expected = HEX.parseHex(crc);
        assertArrayEquals(expected, java.util.Arrays.copyOfRange(withCrc, withCrc.length - 2, withCrc.length));
        assertTrue(Crc16.isValid(withCrc, withCrc.length));
    }

    @ParameterizedTest
    @CsvSource({"11 03 00 6B 00 03 76 86", "11 03 00 6B 00 02 76 87", "76", "''"})
    void rejects_frames_whose_crc_does_not_match(String frame) {
        byte[] bytes = frame.isEmpty() ? new byte[0] : HEX.parseHex(frame);
        assertFalse(Crc16.isValid(bytes, bytes.length));
    }
}
