package com.oviron.callidus.agent.update;

import java.util.Locale;

/**
 * Why an update package was refused, in the order {@link UpdatePackageVerifier} checks (docs/updates.md,
 * "Checks, in order"). The wire form ({@link #code()}) is the lower-case name with '-' for '_'.
 */
public enum RejectReason {
    /** Not a package: bad magic, a header field out of range, or shorter than its header. */
    MALFORMED,
    /** Signed with a key id the unit does not pin. */
    UNKNOWN_KEY,
    /** The signature does not verify over the manifest bytes with the pinned key. */
    BAD_SIGNATURE,
    /** The signed manifest is not valid: bad JSON, a missing or unknown field, a value out of range. */
    MANIFEST_INVALID,
    /** A file path that could leave the slot or is otherwise not allowed ({@code ..}, absolute, '\', ...). */
    UNSAFE_PATH,
    /** Declared sizes beyond the unit's limits (file count, total size). */
    TOO_LARGE,
    /** The package is not for this unit's hardware. */
    WRONG_HARDWARE,
    /** The version is not greater than the installed one. */
    NOT_NEWER,
    /** The security version is lower than the highest the unit has committed (anti-rollback). */
    SECURITY_DOWNGRADE,
    /** The unit's subscription does not allow updates now. */
    NOT_ENTITLED,
    /** The package file is shorter than the header, manifest and declared file sizes. */
    TRUNCATED,
    /** The package file has bytes after the last declared file. */
    TRAILING_DATA,
    /** Not enough free space to install into the inactive slot. */
    NO_SPACE,
    /** A file's bytes do not match the SHA-256 in the signed manifest. */
    HASH_MISMATCH,
    /** The package or a slot could not be read or written. */
    IO_ERROR;

    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
