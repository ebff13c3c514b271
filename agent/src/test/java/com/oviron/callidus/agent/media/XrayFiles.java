package com.oviron.callidus.agent.media;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** X-ray-like test files: a DICOM Part 10 file is a 128-byte preamble, "DICM", then data elements. */
final class XrayFiles {
    private XrayFiles() {
    }

    static byte[] dicom(int size, int seed) {
        byte[] b = new byte[Math.max(size, 200)];
        new Random(seed).nextBytes(b);
        java.util.Arrays.fill(b, 0, 128, (byte) 0);
        System.arraycopy("DICM".getBytes(StandardCharsets.US_ASCII), 0, b, 128, 4);
        return b;
    }

    static byte[] tiff(int size) {
        byte[] b = new byte[size];
        b[0] = 'I';
        b[1] = 'I';
        b[2] = 42;
        return b;
    }
}
