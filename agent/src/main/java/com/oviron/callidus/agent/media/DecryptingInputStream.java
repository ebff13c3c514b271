package com.oviron.callidus.agent.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The plain content of a vault file from any offset: seeks to the segment that holds it, and checks each
 * segment's tag before a byte of it is returned. A damaged, swapped, truncated or foreign segment ends the
 * stream with an IOException that says so.
 */
final class DecryptingInputStream extends InputStream {
    private final FileChannel in;
    private final VaultKey key;
    private final VaultFormat.Header header;
    private final String what;
    private final Cipher cipher = VaultFormat.cipher();
    private final ByteBuffer sealed;
    private byte[] plain = new byte[0];
    private int pos;
    private long nextSegment;

    /**
     * Takes an open vault file (closed with the stream, or here if this fails), authenticates its header and
     * positions at {@code offset} (0 to the plain size).
     */
    static DecryptingInputStream open(FileChannel channel, VaultKey key, long offset, String what)
            throws IOException {
        try {
            VaultFormat.Header header = VaultFormat.readHeader(channel, key, what);
            if (offset < 0 || offset > header.plainSize()) {
                throw new IOException("offset " + offset + " is outside " + what + " (0 to " + header.plainSize()
                        + ")");
            }
            DecryptingInputStream s = new DecryptingInputStream(channel, key, header, what);
            s.seek(offset);
            return s;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private DecryptingInputStream(FileChannel in, VaultKey key, VaultFormat.Header header, String what) {
        this.in = in;
        this.key = key;
        this.header = header;
        this.what = what;
        this.sealed = ByteBuffer.allocate(header.segmentSize() + VaultFormat.TAG);
    }

    VaultFormat.Header header() {
        return header;
    }

    private void seek(long offset) throws IOException {
        if (offset == header.plainSize() && header.plainSize() > 0) {
            nextSegment = header.segments();
            return;
        }
        nextSegment = offset / header.segmentSize();
        plain = decryptNext();
        pos = (int) (offset - (nextSegment - 1) * header.segmentSize());
    }

    private byte[] decryptNext() throws IOException {
        long i = nextSegment++;
        int length = header.plainLength(i);
        sealed.clear().limit(length + VaultFormat.TAG);
        VaultFormat.readFully(in, sealed, header.offsetOf(i));
        boolean last = i == header.segments() - 1;
        try {
            cipher.init(Cipher.DECRYPT_MODE, key.key(),
                    new GCMParameterSpec(128, VaultFormat.nonce(header.noncePrefix(), i, last ? 1 : 0)));
            cipher.updateAAD(header.bytes());
            return cipher.doFinal(sealed.array(), 0, length + VaultFormat.TAG);
        } catch (AEADBadTagException e) {
            throw new IOException(what + " fails authentication at segment " + i + " (damaged, tampered or"
                    + " reordered)", e);
        } catch (GeneralSecurityException e) {
            throw new IOException(what + " cannot be decrypted at segment " + i + ": " + e.getMessage(), e);
        }
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
        while (pos == plain.length) {
            if (nextSegment >= header.segments()) {
                return -1;
            }
            plain = decryptNext();
            pos = 0;
        }
        int n = Math.min(len, plain.length - pos);
        System.arraycopy(plain, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
