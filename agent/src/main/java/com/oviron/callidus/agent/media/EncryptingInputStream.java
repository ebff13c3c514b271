package com.oviron.callidus.agent.media;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Reads a plain image and yields its vault file (header, then sealed segments), one segment in memory at a
 * time. The plain input must be exactly the size and hash the header declares: if the file changed since
 * it was hashed, reading fails with an IOException and the vault file is never completed.
 */
final class EncryptingInputStream extends InputStream {
    private final InputStream plain;
    private final VaultKey key;
    private final byte[] header;
    private final byte[] prefix;
    private final int segmentSize;
    private final long plainSize;
    private final byte[] expectedSha256;
    private final long segments;
    private final Cipher cipher = VaultFormat.cipher();
    private final MessageDigest digest = Sha256.newDigest();
    private final byte[] plainBuffer;
    private byte[] out;
    private int outPos;
    private long nextSegment;

    EncryptingInputStream(InputStream plain, VaultKey key, byte[] header, byte[] prefix, int segmentSize,
                          long plainSize, byte[] expectedSha256) {
        this.plain = plain;
        this.key = key;
        this.header = header;
        this.prefix = prefix;
        this.segmentSize = segmentSize;
        this.plainSize = plainSize;
        this.expectedSha256 = expectedSha256;
        this.segments = VaultFormat.segmentCount(plainSize, segmentSize);
        this.plainBuffer = new byte[segmentSize];
        this.out = header;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (out != null && outPos == out.length) {
            out = nextSegment();
            outPos = 0;
        }
        if (out == null) {
            return -1;
        }
        int n = Math.min(len, out.length - outPos);
        System.arraycopy(out, outPos, b, off, n);
        outPos += n;
        return n;
    }

    private byte[] nextSegment() throws IOException {
        if (nextSegment == segments) {
            return null;
        }
        long i = nextSegment++;
        boolean last = i == segments - 1;
        int length = (int) Math.min(segmentSize, plainSize - i * segmentSize);
        int got = plain.readNBytes(plainBuffer, 0, length);
        if (got != length) {
            throw new IOException("the file shrank while it was being stored");
        }
        digest.update(plainBuffer, 0, length);
        if (last) {
            if (plain.read() >= 0) {
                throw new IOException("the file grew while it was being stored");
            }
            if (!MessageDigest.isEqual(digest.digest(), expectedSha256)) {
                throw new IOException("the file changed while it was being stored");
            }
        }
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key.key(),
                    new GCMParameterSpec(128, VaultFormat.nonce(prefix, i, last ? 1 : 0)));
            cipher.updateAAD(header);
            return cipher.doFinal(plainBuffer, 0, length);
        } catch (GeneralSecurityException e) {
            throw new IOException("encryption failed: " + e.getMessage(), e);
        } finally {
            Arrays.fill(plainBuffer, 0, length, (byte) 0);
        }
    }

    @Override
    public void close() throws IOException {
        plain.close();
    }
}
