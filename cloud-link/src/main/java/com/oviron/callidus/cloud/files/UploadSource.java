package com.oviron.callidus.cloud.files;

import java.io.IOException;
import java.io.InputStream;

/**
 * A file the unit sends to the cloud, readable from any offset (a resumed upload reads only the missing
 * chunks). Its bytes must not change while it is sent; size and hash are of the plain content.
 */
public interface UploadSource {
    long size();

    /** SHA-256 of the whole content, 32 bytes. */
    byte[] sha256();

    /** A stream positioned at {@code offset}; the caller closes it. */
    InputStream openAt(long offset) throws IOException;
}
