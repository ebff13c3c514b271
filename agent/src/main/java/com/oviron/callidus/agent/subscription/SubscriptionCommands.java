package com.oviron.callidus.agent.subscription;

import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.command.CommandException;
import com.oviron.callidus.cloud.command.ErrorCode;

/**
 * The subscription's cloud commands (docs/protocol.md, "subscription.install", "subscription.get"), and those
 * of {@link ClockCommands} ({@code clock.challenge}, {@code clock.set}):
 * <ul>
 *   <li>{@code subscription.install} {@code {"token":"<compact JWS>"}}: installs a token; the result is
 *       {@code {"installed":bool,"status":{...}}}; a refused token is {@code invalid_argument} with the message
 *       {@code args.token: <reason>: <detail>}, a token that cannot be stored {@code failed};</li>
 *   <li>{@code subscription.get} (no arguments): the status as {@link SubscriptionStatus#toJson()}.</li>
 * </ul>
 */
public final class SubscriptionCommands {
    private SubscriptionCommands() {
    }

    /**
     * Registers the subscription's and the clock's commands on {@code channel} and makes {@code service} the channel's entitlement gate
     * ({@link SubscriptionService#commandAllowed}).
     */
    public static void registerOn(CommandChannel channel, SubscriptionService service) {
        channel.register("subscription.install", command -> {
            var args = command.arguments().allowOnly("token");
            String token = args.string("token");
            if (token.length() > TokenVerifier.MAX_TOKEN_CHARS) {
                throw CommandException.invalidArgument("token", TokenRejectedException.Reason.TOO_LARGE.wire()
                        + ": at most " + TokenVerifier.MAX_TOKEN_CHARS + " characters");
            }
            InstallOutcome outcome;
            try {
                outcome = service.install(token, command.id().startsWith("console-") ? "console" : "command");
            } catch (TokenRejectedException e) {
                if (e.reason() == TokenRejectedException.Reason.NOT_STORED) {
                    throw new CommandException(ErrorCode.FAILED, e.getMessage());
                }
                throw CommandException.invalidArgument("token", e.reason().wire() + ": " + e.getMessage());
            }
            JsonObject result = new JsonObject();
            result.addProperty("installed", outcome.installed());
            result.add("status", outcome.status().toJson());
            return result;
        });
        channel.register("subscription.get", command -> {
            command.arguments().allowOnly();
            return service.status().toJson();
        });
        ClockCommands.registerOn(channel, service);
        channel.setEntitlement(service::commandAllowed);
    }
}
