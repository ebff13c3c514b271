package com.oviron.callidus.tools.vendor;

import com.oviron.callidus.agent.subscription.PrivateKeyPem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;

/**
 * The vendor's Ed25519 private key files, as PKCS#8 PEM ({@code PRIVATE KEY}), the form openssl genpkey writes;
 * the PEM itself is read and written by the agent's {@link PrivateKeyPem} (one parser in the codebase).
 */
final class Ed25519PrivateKeys {
    private Ed25519PrivateKeys() {
    }

    static PrivateKey read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        try {
            return PrivateKeyPem.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is " + e.getMessage(), e);
        }
    }

    /** Writes the key readable by its owner only (0600 from the start), refusing to overwrite a file. */
    static void write(Path file, PrivateKey key) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            throw new IOException(file + " exists already; not overwriting a private key", e);
        }
        Files.writeString(file, PrivateKeyPem.pem(key), StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
