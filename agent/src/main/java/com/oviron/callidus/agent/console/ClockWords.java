package com.oviron.callidus.agent.console;

import static com.oviron.callidus.agent.console.ConsoleFormat.object;
import static com.oviron.callidus.agent.console.ConsoleFormat.text;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The console word {@code clock}: the offline way to correct a wrong trusted time (docs/console.md). {@code clock
 * challenge} shows the unit's serial and a nonce ({@code clock.challenge}) for Oviron to sign a time statement;
 * {@code clock set <statement>} installs the statement pasted on one line ({@code clock.set}).
 */
final class ClockWords {
    static final List<String> USAGE = List.of(
            "usage: clock challenge          a nonce for Oviron to sign a time statement with",
            "       clock set <statement>    install the signed time statement (paste it on one line)");

    private final ConsoleCommands.Runner runner;

    ClockWords(ConsoleCommands.Runner runner) {
        this.runner = runner;
    }

    List<String> execute(String rest) {
        String[] words = rest.split("\\s+", 2);
        if (words[0].equals("challenge") && words.length == 1) {
            return challenge();
        }
        if (words[0].equals("set") && words.length == 2) {
            return set(words[1].strip());
        }
        return USAGE;
    }

    private List<String> challenge() {
        Optional<JsonObject> reply = runner.run("clock.challenge", new JsonObject());
        if (reply.isEmpty()) {
            return List.of(ConsoleCommands.busy());
        }
        if (!ConsoleCommands.ok(reply.get())) {
            JsonObject error = object(reply.get(), "error");
            return List.of("refused (" + text(error, "code") + "): " + text(error, "message"));
        }
        JsonObject r = object(reply.get(), "result");
        JsonObject clock = object(r, "clock");
        long minutes = Math.max(1, parseLong(text(r, "validSeconds")) / 60);
        List<String> lines = new ArrayList<>(ConsoleFormat.keyValues(List.of(
                Map.entry("device", text(r, "device")),
                Map.entry("nonce", text(r, "nonce")),
                Map.entry("valid for", minutes + " minutes, until the unit restarts, for one statement"),
                Map.entry("trusted time", ConsoleFormat.time(clock.get("trustedTime")) + " (clock "
                        + text(clock, "state") + ")"),
                Map.entry("local clock", ConsoleFormat.time(clock.get("localTime"))))));
        lines.add("give the device and the nonce to Oviron; paste the signed time statement with:"
                + " clock set <statement>");
        return lines;
    }

    private List<String> set(String statement) {
        JsonObject args = new JsonObject();
        args.addProperty("statement", statement);
        Optional<JsonObject> reply = runner.run("clock.set", args);
        if (reply.isEmpty()) {
            return List.of(ConsoleCommands.busy());
        }
        JsonObject r = reply.get();
        if (!ConsoleCommands.ok(r)) {
            JsonObject error = object(r, "error");
            String message = text(error, "message");
            if ("invalid_argument".equals(text(error, "code"))) {
                return List.of("time statement refused: " + (message.startsWith("args.statement: ")
                        ? message.substring("args.statement: ".length()) : message), "trusted time is unchanged");
            }
            return List.of("time statement not installed: " + text(error, "code") + ": " + message);
        }
        JsonObject result = object(r, "result");
        List<String> lines = new ArrayList<>();
        lines.add("trusted time set: was " + ConsoleFormat.time(result.get("trustedTimeBefore")) + ", now "
                + ConsoleFormat.time(result.get("trustedTime")));
        lines.addAll(SubscriptionText.lines(object(result, "status")));
        return lines;
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
