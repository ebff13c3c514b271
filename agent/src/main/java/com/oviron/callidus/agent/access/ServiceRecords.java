package com.oviron.callidus.agent.access;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The signed service record at the end of a visit (issue 14, docs/console.md "service-record"): the record of
 * one console session, signed with the unit's own key, saved on the unit and sent to the cloud.
 */
public interface ServiceRecords {

    /**
     * A console session as the record needs it.
     *
     * @param who          who is logged in
     * @param origin       the console and session id
     * @param startedAt    when they logged in
     * @param alarmsBefore the alarms active when they logged in, one line each
     */
    record Session(Principal who, Origin origin, Instant startedAt, List<String> alarmsBefore) {
        public Session {
            Objects.requireNonNull(who, "who");
            Objects.requireNonNull(origin, "origin");
            Objects.requireNonNull(startedAt, "startedAt");
            alarmsBefore = List.copyOf(alarmsBefore);
        }
    }

    /**
     * Builds the record of {@code session} up to now, signs it, saves it and starts sending it.
     *
     * @return the lines to print: the record for people, where it was saved, whether it is being sent
     * @throws java.io.IOException when it could not be signed or saved (nothing was sent)
     */
    List<String> write(Session session) throws java.io.IOException;
}
