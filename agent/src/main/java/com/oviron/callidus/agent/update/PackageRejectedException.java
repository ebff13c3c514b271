package com.oviron.callidus.agent.update;

import java.util.Objects;
import java.util.Optional;

/**
 * An update package was refused: {@link #reason()} for machines, the message for people, and the release it
 * claims once its manifest's signature has verified (so the cloud's status shows which release was refused).
 */
public final class PackageRejectedException extends Exception {
    private final RejectReason reason;
    private final transient Version version;

    public PackageRejectedException(RejectReason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.version = null;
    }

    public PackageRejectedException(RejectReason reason, String message, Throwable cause) {
        this(reason, message, cause, null);
    }

    private PackageRejectedException(RejectReason reason, String message, Throwable cause, Version version) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.version = version;
    }

    /** The same refusal, naming the release of the (signed, parsed) manifest. */
    public PackageRejectedException of(Version release) {
        PackageRejectedException e = new PackageRejectedException(reason, getMessage(), getCause(),
                Objects.requireNonNull(release, "release"));
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** The release the refused package claims; empty when its manifest was not verified and parsed. */
    public Optional<Version> version() {
        return Optional.ofNullable(version);
    }

    public RejectReason reason() {
        return reason;
    }
}
