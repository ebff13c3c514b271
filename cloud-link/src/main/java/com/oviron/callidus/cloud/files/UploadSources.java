package com.oviron.callidus.cloud.files;

import java.util.Optional;

/**
 * Finds the content of an upload again after a restart, by the kind and name it was sent with, so that an
 * interrupted upload resumes with only the chunks the cloud has not acknowledged. An upload whose source is
 * gone (or whose size or SHA-256 changed) fails with a reason instead.
 */
@FunctionalInterface
public interface UploadSources {
    Optional<UploadSource> reopen(FileKind kind, String name);

    /** For a unit whose uploads do not outlive a restart. */
    static UploadSources none() {
        return (kind, name) -> Optional.empty();
    }
}
