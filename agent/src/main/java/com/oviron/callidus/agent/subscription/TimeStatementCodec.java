package com.oviron.callidus.agent.subscription;

import com.google.gson.JsonObject;
import java.time.Instant;

/**
 * A time statement's payload as JSON (docs/protocol.md, "Signed time statement"):
 * {@code {"iss":..,"sub":..,"nonce":..,"time_ms":..}}. Read strictly like a token's claims; claims this version
 * does not know are ignored.
 */
final class TimeStatementCodec {
    private TimeStatementCodec() {
    }

    static JsonObject toJson(TimeStatement s) {
        JsonObject o = new JsonObject();
        o.addProperty("iss", s.issuer());
        o.addProperty("sub", s.deviceSerial());
        o.addProperty("nonce", s.nonce());
        o.addProperty("time_ms", s.time().toEpochMilli());
        return o;
    }

    /** @throws IllegalArgumentException naming the claim that is missing, mistyped or out of range */
    static TimeStatement fromJson(JsonObject o) {
        return new TimeStatement(TokenClaimsCodec.string(o, "iss"), TokenClaimsCodec.string(o, "sub"),
                TokenClaimsCodec.string(o, "nonce"), Instant.ofEpochMilli(TokenClaimsCodec.integer(o, "time_ms")));
    }
}
