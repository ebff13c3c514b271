package com.oviron.callidus.agent.update;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A package file that passed every check of {@link UpdatePackageVerifier} when it was verified.
 *
 * @param file          the package file
 * @param keyId         the pinned key that signed it
 * @param payloadOffset where the first file's bytes start in {@code file}
 * @param manifest      the signed manifest
 */
public record VerifiedPackage(Path file, String keyId, long payloadOffset, Manifest manifest) {
    public VerifiedPackage {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(manifest, "manifest");
    }
}
