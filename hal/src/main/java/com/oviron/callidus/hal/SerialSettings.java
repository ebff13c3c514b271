package com.oviron.callidus.hal;

import java.util.Objects;

/**
 * How a serial line is set up. CALLIDUS default: 115200 baud, 8 data bits, no parity, 1 stop bit (8N1).
 *
 * @param device   the device file, e.g. {@code /dev/ttyUSB0} or a pseudo-terminal such as {@code /dev/pts/3}
 * @param baudRate bits per second, 1200 to 921600
 * @param dataBits 7 or 8
 * @param parity   none, even or odd
 * @param stopBits 1 or 2
 */
public record SerialSettings(String device, int baudRate, int dataBits, Parity parity, int stopBits) {

    /** Parity of a serial character. */
    public enum Parity { NONE, EVEN, ODD }

    public SerialSettings {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(parity, "parity");
        if (device.isBlank()) {
            throw new IllegalArgumentException("serial device must not be empty");
        }
        if (baudRate < 1200 || baudRate > 921_600) {
            throw new IllegalArgumentException("baud rate " + baudRate + " is outside 1200..921600");
        }
        if (dataBits != 7 && dataBits != 8) {
            throw new IllegalArgumentException("data bits must be 7 or 8, got " + dataBits);
        }
        if (stopBits != 1 && stopBits != 2) {
            throw new IllegalArgumentException("stop bits must be 1 or 2, got " + stopBits);
        }
    }

    /** 8N1 at the given speed. */
    public static SerialSettings of(String device, int baudRate) {
        return new SerialSettings(device, baudRate, 8, Parity.NONE, 1);
    }

    /** Bits on the wire per character: start bit, data bits, parity bit if any, stop bits. */
    public int bitsPerCharacter() {
        return 1 + dataBits + (parity == Parity.NONE ? 0 : 1) + stopBits;
    }

    /** Nanoseconds one character takes on the wire. */
    public long nanosPerCharacter() {
        return 1_000_000_000L * bitsPerCharacter() / baudRate;
    }
}
