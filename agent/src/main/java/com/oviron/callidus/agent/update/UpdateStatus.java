package com.oviron.callidus.agent.update;

import com.google.gson.JsonObject;
import java.util.Objects;
import java.util.Optional;

/**
 * One step of an update, as the agent reports it to the cloud (docs/protocol.md, "Topic update").
 *
 * @param step      what happens now
 * @param version   the release being installed; empty while the package is not yet verified
 * @param reason    machine-readable reason for {@code rejected}/{@code failed}/{@code rolled-back}
 *                  ({@link RejectReason#code()} or a fixed word), or what a {@code waiting} step waits for
 * @param detail    for people: the message, or progress like "file 2/5"
 * @param atMillis  when (epoch ms)
 */
public record UpdateStatus(UpdateStep step, Optional<String> version, Optional<String> reason, String detail,
                           long atMillis) {
    public UpdateStatus {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }

    /**
     * The MQTT payload for {@code callidus/v1/<deviceId>/update} (docs/protocol.md, "Topic update"):
     * {@code {"v":1,"device":..,"step":..,"version":..,"reason":..,"detail":..,"at":..}}.
     */
    public byte[] toMessage(String deviceId) {
        JsonObject o = new JsonObject();
        o.addProperty("v", 1);
        o.addProperty("device", deviceId);
        toJson().entrySet().forEach(e -> o.add(e.getKey(), e.getValue()));
        return o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("step", step.code());
        version.ifPresent(v -> o.addProperty("version", v));
        reason.ifPresent(r -> o.addProperty("reason", r));
        o.addProperty("detail", detail);
        o.addProperty("at", atMillis);
        return o;
    }
}
