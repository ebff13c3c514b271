package com.oviron.callidus.agent.console;

import static com.oviron.callidus.agent.console.ConsoleFormat.object;
import static com.oviron.callidus.agent.console.ConsoleFormat.text;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The console's words ({@code help}, {@code status}, {@code diag}...): each turns into one command of the
 * unit's command channel, and its reply into text for a person. Runs on the console's thread.
 */
final class ConsoleCommands {
    /** Longest report the console prints; a larger one asks for larger buckets. */
    static final int MAX_REPORT_ROWS = 400;
    /** Longest report period, as report.get allows it (400 days). */
    static final long MAX_REPORT_HOURS = 400L * 24;
    /** Rows per channel a report has when no bucket size is given. */
    static final int DEFAULT_REPORT_BUCKETS = 12;

    /** Runs one command of the unit; empty when it did not answer in time. */
    @FunctionalInterface
    interface Runner {
        Optional<JsonObject> run(String name, JsonObject args);
    }

    private final Runner runner;
    private final Clock clock;
    private final AccessWords access;
    private final ClockWords clockWords;
    private final DiagnosticsWords diagnosticsWords;

    ConsoleCommands(Runner runner, Clock clock, ConsoleSession session) {
        this.runner = runner;
        this.clock = clock;
        this.access = new AccessWords(session);
        this.clockWords = new ClockWords(runner);
        this.diagnosticsWords = new DiagnosticsWords((name, args) -> {
            Optional<JsonObject> reply = runner.run(name, args);
            if (reply.isEmpty()) {
                return new DiagnosticsWords.CallResult(Optional.empty(), List.of(busy()));
            }
            if (!ok(reply.get())) {
                JsonObject error = object(reply.get(), "error");
                return new DiagnosticsWords.CallResult(Optional.empty(), List.of("refused (" + text(error, "code")
                        + "): " + text(error, "message")));
            }
            return new DiagnosticsWords.CallResult(Optional.of(object(reply.get(), "result")), List.of());
        });
    }

    /** Carries out one typed line; returns what to print (nothing for an empty line) and maybe a question. */
    ConsoleReply execute(String typed) {
        String line = typed.strip();
        if (line.isEmpty()) {
            return ConsoleReply.of();
        }
        int space = indexOfWhitespace(line);
        String word = (space < 0 ? line : line.substring(0, space)).toLowerCase(Locale.ROOT);
        String rest = space < 0 ? "" : line.substring(space).strip();
        return switch (word) {
            case "login" -> access.login(rest);
            case "logout" -> access.logout(rest);
            case "whoami" -> access.whoami(rest);
            case "passwd" -> access.passwd(rest);
            case "consent" -> access.consent(rest);
            case "service-record" -> access.serviceRecord(rest);
            case "audit" -> access.audit(rest);
            default -> ConsoleReply.of(readOrRun(word, rest));
        };
    }

    private List<String> readOrRun(String word, String rest) {
        return switch (word) {
            case "help", "?" -> rest.isEmpty() ? HelpTexts.list() : HelpTexts.of(rest).orElse(List.of(
                    "no word " + shorten(rest) + " (help lists them)"));
            case "status" -> noArguments(word, rest).orElseGet(() -> status());
            case "diag" -> noArguments(word, rest).orElseGet(() -> diagnostics());
            case "sub" -> noArguments(word, rest).orElseGet(() -> subscription());
            case "commands" -> noArguments(word, rest).orElseGet(() -> commandNames());
            case "token" -> token(rest);
            case "clock" -> clockWords.execute(rest);
            case "log" -> logLevel(rest);
            case "report" -> report(rest);
            case "cmd" -> expert(rest);
            default -> diagnosticsWords.execute(word, rest).orElseGet(() ->
                    List.of("unknown command: " + shorten(word) + " (type help for the list)"));
        };
    }

    private static Optional<List<String>> noArguments(String word, String rest) {
        return rest.isEmpty() ? Optional.empty() : Optional.of(List.of("usage: " + word + " (no arguments)"));
    }

    private List<String> status() {
        return call("status.get", new JsonObject(), r -> ConsoleFormat.keyValues(ConsoleFormat.flatten(r, "")));
    }

    private List<String> diagnostics() {
        return call("diagnostics.get", new JsonObject(), DiagnosticsText::lines);
    }

    private List<String> subscription() {
        return call("subscription.get", new JsonObject(), SubscriptionText::lines);
    }

    private List<String> commandNames() {
        return call("commands.list", new JsonObject(), r -> {
            List<String> names = new ArrayList<>();
            JsonElement list = r.get("commands");
            if (list != null && list.isJsonArray()) {
                list.getAsJsonArray().forEach(n -> names.add(text(n)));
            }
            return names;
        });
    }

    private List<String> token(String token) {
        if (token.isEmpty()) {
            return List.of("usage: token <token>   (paste the whole token on one line)");
        }
        JsonObject args = new JsonObject();
        args.addProperty("token", token);
        Optional<JsonObject> reply = runner.run("subscription.install", args);
        if (reply.isEmpty()) {
            return List.of(busy());
        }
        JsonObject r = reply.get();
        if (!ok(r)) {
            JsonObject error = object(r, "error");
            String message = text(error, "message");
            if ("invalid_argument".equals(text(error, "code"))) {
                return List.of("token refused: " + (message.startsWith("args.token: ")
                        ? message.substring("args.token: ".length()) : message), "the installed token is unchanged");
            }
            return List.of("token not installed: " + text(error, "code") + ": " + message);
        }
        JsonObject result = object(r, "result");
        List<String> lines = new ArrayList<>();
        lines.add("true".equals(text(result, "installed")) ? "token installed"
                : "this token is already installed; nothing changed");
        lines.addAll(SubscriptionText.lines(object(result, "status")));
        return lines;
    }

    private List<String> logLevel(String level) {
        if (level.isEmpty() || indexOfWhitespace(level) >= 0) {
            return List.of("usage: log <debug|info|warn|error>");
        }
        JsonObject args = new JsonObject();
        args.addProperty("level", level.toLowerCase(Locale.ROOT));
        return call("log.set-level", args, r -> List.of("log level " + text(r, "level") + " (was "
                + text(r, "previous") + ")"));
    }

    private List<String> report(String rest) {
        String usage = "usage: report <hours 1.." + MAX_REPORT_HOURS + "> [bucketMinutes 1..44640]";
        String[] words = rest.isEmpty() ? new String[0] : rest.split("\\s+");
        Optional<List<String>> page = diagnosticsWords.reportPage(words);
        if (page.isPresent()) {
            return page.get();
        }
        if (words.length < 1 || words.length > 2) {
            return List.of(usage + " | report <from> <to>");
        }
        long hours;
        long bucketMinutes;
        try {
            hours = Long.parseLong(words[0]);
            bucketMinutes = words.length == 2 ? Long.parseLong(words[1])
                    : Math.max(1, (hours * 60 + DEFAULT_REPORT_BUCKETS - 1) / DEFAULT_REPORT_BUCKETS);
        } catch (NumberFormatException e) {
            return List.of(usage);
        }
        if (hours < 1 || hours > MAX_REPORT_HOURS) {
            return List.of(usage);
        }
        long to = clock.millis();
        JsonObject args = new JsonObject();
        args.addProperty("from", to - hours * 3_600_000);
        args.addProperty("to", to);
        args.addProperty("bucketMinutes", bucketMinutes);
        return call("report.get", args, ReportText::lines);
    }

    private List<String> expert(String rest) {
        if (rest.isEmpty()) {
            return List.of("usage: cmd <name> [json-args]   e.g. cmd live.start {\"seconds\":60}");
        }
        int space = indexOfWhitespace(rest);
        String name = space < 0 ? rest : rest.substring(0, space);
        String json = space < 0 ? "" : rest.substring(space).strip();
        JsonObject args = new JsonObject();
        if (!json.isEmpty()) {
            try {
                JsonElement parsed = JsonParser.parseString(json);
                if (!parsed.isJsonObject()) {
                    return List.of("the arguments must be a JSON object, e.g. {\"seconds\":60}");
                }
                args = parsed.getAsJsonObject();
            } catch (JsonParseException e) {
                return List.of("the arguments are not valid JSON: " + e.getMessage());
            }
        }
        Optional<JsonObject> reply = runner.run(name, args);
        if (reply.isEmpty()) {
            return List.of(busy());
        }
        return List.of(ConsoleFormat.pretty(reply.get()).split("\n"));
    }

    /** Runs {@code name}; an error reply becomes one line with its code and message. */
    private List<String> call(String name, JsonObject args, java.util.function.Function<JsonObject, List<String>> ok) {
        Optional<JsonObject> reply = runner.run(name, args);
        if (reply.isEmpty()) {
            return List.of(busy());
        }
        JsonObject r = reply.get();
        if (!ok(r)) {
            JsonObject error = object(r, "error");
            return List.of("refused (" + text(error, "code") + "): " + text(error, "message"));
        }
        return ok.apply(object(r, "result"));
    }

    static boolean ok(JsonObject reply) {
        JsonElement ok = reply.get("ok");
        return ok != null && ok.isJsonPrimitive() && ok.getAsJsonPrimitive().isBoolean() && ok.getAsBoolean();
    }

    static String busy() {
        return "busy: the unit did not answer in time; try again";
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /** The lines of {@code diag}. */
    static final class DiagnosticsText {
        private DiagnosticsText() {
        }

        static List<String> lines(JsonObject r) {
            List<String> out = new ArrayList<>();
            out.addAll(ConsoleFormat.keyValues(List.of(
                    Map.entry("device", text(r, "device")),
                    Map.entry("uptime", uptime(r.get("uptimeSeconds"))),
                    Map.entry("treatment in progress", text(r, "treatmentInProgress")),
                    Map.entry("live mode", text(r, "liveMode")),
                    Map.entry("log level", text(r, "logLevel")))));
            out.add("-- channels");
            List<List<String>> rows = new ArrayList<>();
            for (JsonElement e : array(r, "channels")) {
                JsonObject c = e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
                rows.add(List.of(text(c, "id"), text(c, "value"), text(c, "unit"), text(c, "quality"),
                        text(c, "name")));
            }
            out.addAll(rows.isEmpty() ? List.of("none") : ConsoleFormat.table(
                    List.of("channel", "value", "unit", "quality", "name"), rows));
            out.add("-- alarms");
            List<List<String>> alarms = new ArrayList<>();
            for (JsonElement e : array(r, "alarms")) {
                JsonObject a = e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
                alarms.add(List.of(text(a, "channel"), text(a, "quality"), ConsoleFormat.time(a.get("since"))));
            }
            out.addAll(alarms.isEmpty() ? List.of("none") : ConsoleFormat.table(
                    List.of("channel", "quality", "since"), alarms));
            out.add("-- open alarms");
            JsonElement open = r.get("openAlarms");
            out.addAll(DiagnosticsWords.alarmLines(open != null && open.isJsonArray() ? open.getAsJsonArray() : null));
            for (String section : List.of("usage", "counters", "storage", "link", "versions")) {
                out.add("-- " + section);
                out.addAll(ConsoleFormat.keyValues(ConsoleFormat.flatten(object(r, section), "")));
            }
            JsonObject key = object(object(r, "selftest"), "unitKey");
            if (key.has("kid")) {
                out.add("-- unit key");
                out.addAll(ConsoleFormat.keyValues(List.of(Map.entry("key id", text(key, "kid")),
                        Map.entry("public key", text(key, "publicKey")))));
            }
            return out;
        }

        private static JsonArray array(JsonObject o, String name) {
            JsonElement e = o.get(name);
            return e != null && e.isJsonArray() ? e.getAsJsonArray() : new JsonArray();
        }

        private static String uptime(JsonElement seconds) {
            try {
                long s = seconds.getAsLong();
                return String.format(Locale.ROOT, "%dd %02dh %02dm", s / 86_400, s / 3600 % 24, s / 60 % 60);
            } catch (RuntimeException notANumber) {
                return text(seconds);
            }
        }
    }

    /** The lines of {@code report}. */
    static final class ReportText {
        private ReportText() {
        }

        static List<String> lines(JsonObject r) {
            List<String> out = new ArrayList<>();
            out.add("report " + ConsoleFormat.time(r.get("from")) + " .. " + ConsoleFormat.time(r.get("to"))
                    + ", " + text(r, "bucketMinutes") + "-minute buckets");
            List<List<String>> rows = new ArrayList<>();
            int total = 0;
            for (Map.Entry<String, JsonElement> ch : object(r, "channels").entrySet()) {
                JsonObject c = ch.getValue().isJsonObject() ? ch.getValue().getAsJsonObject() : new JsonObject();
                for (JsonElement b : DiagnosticsText.array(c, "buckets")) {
                    total++;
                    if (rows.size() >= MAX_REPORT_ROWS || !b.isJsonArray() || b.getAsJsonArray().size() < 5) {
                        continue;
                    }
                    JsonArray a = b.getAsJsonArray();
                    rows.add(List.of(ch.getKey(), ConsoleFormat.minutes(a.get(0)), text(a.get(1)), text(a.get(2)), text(a.get(3)), text(a.get(4)),
                            text(c, "unit")));
                }
            }
            if (rows.isEmpty()) {
                out.add("no readings in that period");
                return out;
            }
            out.addAll(ConsoleFormat.table(List.of("channel", "start (UTC)", "count", "min", "max", "mean", "unit"),
                    rows));
            if (total > rows.size()) {
                out.add("... " + (total - rows.size()) + " more rows not shown; choose larger buckets");
            }
            return out;
        }
    }
}
