package com.oviron.callidus.agent.subscription;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.command.CommandCodec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.tinylog.Logger;

/**
 * Installs the token the cloud keeps as a retained message on {@code callidus/v1/<deviceId>/subscription}
 * (QoS 1): {@code {"v":1,"token":"<compact JWS>"}}. The broker delivers it on every connect, so the token
 * already installed is ignored quietly; a new one is installed as by {@code subscription.install}. The
 * connection's thread only hands the payload to {@code executor}.
 */
public final class RetainedTokenListener {
    static final int MAX_PAYLOAD_BYTES = TokenVerifier.MAX_TOKEN_CHARS + 64;

    private RetainedTokenListener() {
    }

    /** The topic of the retained token. */
    public static String topic(Topics topics) {
        return Topics.ROOT + "/" + topics.deviceId() + "/subscription";
    }

    /** Subscribes; call before the connection starts. */
    public static void subscribe(MqttConnection link, Topics topics, SubscriptionService service, Executor executor) {
        link.subscribe(topic(topics), 1, (topic, payload) -> {
            try {
                executor.execute(() -> arrived(service, payload));
            } catch (RejectedExecutionException e) {
                Logger.warn("retained subscription token dropped: executor busy or stopped (it comes again on the"
                        + " next connect)");
            }
        });
    }

    static void arrived(SubscriptionService service, byte[] payload) {
        if (payload.length == 0) {
            return; // the cloud cleared the retained message
        }
        if (payload.length > MAX_PAYLOAD_BYTES) {
            Logger.warn("retained subscription message refused reason=too_large bytes={}", payload.length);
            return;
        }
        String token;
        try {
            JsonElement e = CommandCodec.parseStrict(new String(payload, StandardCharsets.UTF_8));
            JsonObject o = e.getAsJsonObject();
            if (!(o.get("v") instanceof JsonPrimitive v) || !v.isNumber() || !"1".equals(v.getAsString())
                    || !(o.get("token") instanceof JsonPrimitive t) || !t.isString() || o.size() != 2) {
                throw new IllegalArgumentException("expected exactly {\"v\":1,\"token\":\"...\"}");
            }
            token = t.getAsString();
        } catch (Exception ex) {
            Logger.warn("retained subscription message refused reason=malformed detail={}", ex.getMessage());
            return;
        }
        try {
            service.install(token, "retained");
        } catch (TokenRejectedException ex) {
            // logged by the service; an older retained token than the installed one is expected after a
            // console install and harmless
        }
    }
}
