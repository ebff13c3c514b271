package com.oviron.callidus.agent.update;

import java.util.Objects;

/** An update package was refused: {@link #reason()} for machines, the message for people. */
public final class PackageRejectedException extends Exception {
    private final RejectReason reason;

    public PackageRejectedException(RejectReason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public PackageRejectedException(RejectReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public RejectReason reason() {
        return reason;
    }
}
