package com.oviron.callidus.agent.access;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** Where the service record finds "the self-test result, if one was run" during the session. */
@FunctionalInterface
public interface SelfTestResults {

    /**
     * A self-test result.
     *
     * @param at      when it ran
     * @param passed  whether every check passed
     * @param summary one line for people
     * @param signed  the result as the unit signed it (verifiable on its own), or empty
     */
    record Result(Instant at, boolean passed, String summary, Optional<String> signed) {
        public Result {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(summary, "summary");
            Objects.requireNonNull(signed, "signed");
        }
    }

    /** The newest self-test run at or after {@code since}, if any. */
    Optional<Result> since(Instant since);

    /** For a unit without a self-test. */
    static SelfTestResults none() {
        return since -> Optional.empty();
    }
}
