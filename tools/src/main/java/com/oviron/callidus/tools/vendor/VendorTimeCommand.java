package com.oviron.callidus.tools.vendor;

import com.oviron.callidus.agent.subscription.SubscriptionSettings;
import com.oviron.callidus.agent.subscription.TimeStatement;
import com.oviron.callidus.agent.subscription.TimeStatementSigner;
import com.oviron.callidus.agent.subscription.TimeStatementVerifier;
import com.oviron.callidus.agent.subscription.TokenRejectedException;
import com.oviron.callidus.tools.vendor.VendorCommand.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * {@code vendor time sign} and {@code vendor time verify}: the signing side of a unit's clock challenge
 * (docs/protocol.md, "Signed time statement"). The statement is made with the agent's own
 * {@link TimeStatementSigner} and checked with its {@link TimeStatementVerifier}, so the tool and the unit
 * cannot disagree on the format.
 */
final class VendorTimeCommand {
    private VendorTimeCommand() {
    }

    static int sign(Map<String, String> o, PrintStream out, Clock clock) throws UsageException, IOException {
        PrivateKey key = Ed25519PrivateKeys.read(Path.of(VendorCommand.required(o, "key")));
        Instant time;
        try {
            time = o.containsKey("time") ? Instant.parse(o.get("time")).truncatedTo(ChronoUnit.MILLIS)
                    : clock.instant().truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException e) {
            throw new UsageException("--time must be an instant like 2026-11-21T08:00:00Z");
        }
        try {
            TimeStatement statement = new TimeStatement(o.getOrDefault("issuer", SubscriptionSettings.DEFAULT_ISSUER),
                    VendorCommand.required(o, "serial"), VendorCommand.required(o, "nonce"), time);
            out.println(TimeStatementSigner.sign(statement, VendorCommand.required(o, "kid"), key));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return 0;
    }

    static int verify(Map<String, String> o, PrintStream out, PrintStream err) throws UsageException, IOException {
        String jws = VendorCommand.jwsArgument(VendorCommand.required(o, "statement"));
        TimeStatementVerifier verifier = new TimeStatementVerifier(o.getOrDefault("issuer",
                SubscriptionSettings.DEFAULT_ISSUER), VendorCommand.required(o, "serial"),
                VendorCommand.pinnedKey(o, jws));
        TimeStatement s;
        try {
            s = verifier.verify(jws);
        } catch (TokenRejectedException e) {
            err.println("time statement refused: " + e.reason().wire() + ": " + e.getMessage());
            return 1;
        }
        if (o.containsKey("nonce") && !o.get("nonce").equals(s.nonce())) {
            err.println("time statement refused: unknown_nonce: it answers nonce " + s.nonce() + ", not "
                    + o.get("nonce"));
            return 1;
        }
        out.println("time statement valid: sub=" + s.deviceSerial() + " iss=" + s.issuer() + " nonce=" + s.nonce());
        out.println("  time " + s.time() + " (time_ms " + s.time().toEpochMilli() + ")");
        out.println("  the unit accepts it once, within its challenge's validity (10 minutes by default)");
        return 0;
    }
}
