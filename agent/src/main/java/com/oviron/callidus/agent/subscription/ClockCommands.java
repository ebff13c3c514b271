package com.oviron.callidus.agent.subscription;

import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.command.CommandException;

/**
 * The cloud commands that correct trusted time with a signed statement (docs/protocol.md, "clock.challenge",
 * "clock.set"), allowed whatever the subscription:
 * <ul>
 *   <li>{@code clock.challenge} (no arguments): a new nonce, as {@code {"device","issuer","nonce","validSeconds",
 *       "clock":{...}}} (the clock as in {@code subscription.get});</li>
 *   <li>{@code clock.set} {@code {"statement":"<compact JWS>"}}: sets trusted time; the result is
 *       {@code {"trustedTimeBefore":ms,"trustedTime":ms,"status":{...}}}; a refused statement is
 *       {@code invalid_argument} with the message {@code args.statement: <reason>: <detail>}.</li>
 * </ul>
 */
final class ClockCommands {
    private ClockCommands() {
    }

    static void registerOn(CommandChannel channel, SubscriptionService service) {
        channel.register("clock.challenge", command -> {
            command.arguments().allowOnly();
            TimeChallenge c = service.challenge();
            JsonObject result = new JsonObject();
            result.addProperty("device", c.deviceSerial());
            result.addProperty("issuer", c.issuer());
            result.addProperty("nonce", c.nonce());
            result.addProperty("validSeconds", c.validFor().toSeconds());
            result.add("clock", SubscriptionStatus.clockJson(c.clock()));
            return result;
        });
        channel.register("clock.set", command -> {
            var args = command.arguments().allowOnly("statement");
            String statement = args.string("statement");
            if (statement.length() > TimeStatementVerifier.MAX_STATEMENT_CHARS) {
                throw CommandException.invalidArgument("statement", TokenRejectedException.Reason.TOO_LARGE.wire()
                        + ": at most " + TimeStatementVerifier.MAX_STATEMENT_CHARS + " characters");
            }
            TimeSetOutcome outcome;
            try {
                outcome = service.setTime(statement, command.id().startsWith("console-") ? "console" : "command");
            } catch (TokenRejectedException e) {
                throw CommandException.invalidArgument("statement", e.reason().wire() + ": " + e.getMessage());
            }
            JsonObject result = new JsonObject();
            result.addProperty("trustedTimeBefore", outcome.trustedBefore().toEpochMilli());
            result.addProperty("trustedTime", outcome.status().clock().trustedNow().toEpochMilli());
            result.add("status", outcome.status().toJson());
            return result;
        });
    }
}
