package com.oviron.callidus.agent.console;

import com.oviron.callidus.agent.access.Access;
import com.oviron.callidus.agent.access.Auditor;
import com.oviron.callidus.agent.access.ServiceRecords;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a console needs of the access model: the unit's serial (for the prompt), the audit trail (always there:
 * every change made at a console is audited), technician access (without an {@code access} section nobody can
 * log in, and the console only reads and installs signed tokens), the service record, and the alarms for it.
 *
 * @param deviceId the unit's serial
 * @param auditor  the audit trail
 * @param access   logins, PIN and consent, when the configuration has an {@code access} section
 * @param records  the service record, when the unit can sign one (asked when needed: it comes with the cloud
 *                 services, built after the console's access)
 * @param alarms   the alarms active now, one line each (for the service record: before and after)
 */
public record ConsoleAccess(String deviceId, Auditor auditor, Optional<Access> access,
                            Supplier<Optional<ServiceRecords>> records, Supplier<List<String>> alarms) {
    public ConsoleAccess {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(auditor, "auditor");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(alarms, "alarms");
    }
}
