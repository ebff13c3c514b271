package com.oviron.callidus.agent.console;

import static com.oviron.callidus.agent.console.ConsoleFormat.object;
import static com.oviron.callidus.agent.console.ConsoleFormat.text;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The console's diagnostics words ({@code alarms}, {@code ack}, {@code code}, {@code selftest}, {@code key},
 * {@code report <from> <to>}), each one command of the unit (docs/console.md). Runs on the console's thread.
 */
final class DiagnosticsWords {
    /** Runs a command and turns its result into lines (an error reply becomes one line). */
    private final BiFunction<String, JsonObject, CallResult> runner;

    /** A command's outcome: the result, or the lines to print instead. */
    record CallResult(Optional<JsonObject> result, List<String> failure) {
    }

    DiagnosticsWords(BiFunction<String, JsonObject, CallResult> runner) {
        this.runner = runner;
    }

    /** The lines of a word this class knows; empty when it is not one of them. */
    Optional<List<String>> execute(String word, String rest) {
        return switch (word) {
            case "alarms" -> Optional.of(rest.isEmpty() ? alarms() : List.of("usage: alarms (no arguments)"));
            case "ack" -> Optional.of(ack(rest));
            case "code" -> Optional.of(code(rest));
            case "selftest" -> Optional.of(rest.isEmpty() ? selftest() : List.of("usage: selftest (no arguments)"));
            case "key" -> Optional.of(rest.isEmpty() ? key() : List.of("usage: key (no arguments)"));
            default -> Optional.empty();
        };
    }

    private List<String> call(String name, JsonObject args, java.util.function.Function<JsonObject, List<String>> ok) {
        CallResult r = runner.apply(name, args);
        return r.result().map(ok).orElse(r.failure());
    }

    private List<String> alarms() {
        return call("alarms.list", new JsonObject(), r -> alarmLines(r.getAsJsonArray("alarms")));
    }

    static List<String> alarmLines(JsonArray alarms) {
        if (alarms == null || alarms.isEmpty()) {
            return List.of("no open alarms");
        }
        List<List<String>> rows = new ArrayList<>();
        List<String> remedies = new ArrayList<>();
        for (JsonElement e : alarms) {
            JsonObject a = e.getAsJsonObject();
            rows.add(List.of(text(a, "id"), text(a, "code"), text(a, "state"),
                    "true".equals(text(a, "acknowledged")) ? "yes" : "no", ConsoleFormat.time(a.get("firstAt")),
                    text(a, "count"), text(a, "title") + (text(a, "channel").isEmpty() ? "" : " (" + text(a, "channel")
                            + ")")));
            remedies.add(text(a, "code") + " remedy: " + text(a, "remedy"));
        }
        List<String> out = new ArrayList<>(ConsoleFormat.table(List.of("id", "code", "state", "ack", "since (UTC)",
                "times", "what"), rows));
        out.addAll(remedies);
        return out;
    }

    private List<String> ack(String rest) {
        JsonObject args = new JsonObject();
        if (rest.equalsIgnoreCase("all")) {
            args.addProperty("all", true);
        } else {
            try {
                args.addProperty("id", Long.parseLong(rest));
            } catch (NumberFormatException e) {
                return List.of("usage: ack <id|all>   (the id is in the list of: alarms)");
            }
        }
        return call("alarms.ack", args, r -> {
            List<String> out = new ArrayList<>();
            JsonArray done = r.getAsJsonArray("acknowledged");
            out.add(done.isEmpty() ? "nothing to acknowledge" : "acknowledged: " + String.join(", ",
                    done.asList().stream().map(e -> text(e.getAsJsonObject(), "id") + " "
                            + text(e.getAsJsonObject(), "code")).toList()));
            out.add(r.getAsJsonArray("open").size() + " alarm(s) still open");
            return out;
        });
    }

    private List<String> code(String rest) {
        if (rest.isEmpty() || rest.contains(" ")) {
            return List.of("usage: code <code>   e.g. code A121");
        }
        JsonObject args = new JsonObject();
        args.addProperty("code", rest.toUpperCase(java.util.Locale.ROOT));
        return call("catalog.get", args, r -> {
            List<String> out = new ArrayList<>();
            JsonObject e = r.getAsJsonArray("entries").get(0).getAsJsonObject();
            for (String lang : List.of("en", "bg")) {
                JsonObject t = object(e, lang);
                out.add(text(e, "code") + " [" + lang + "] " + text(t, "title"));
                out.add("  " + text(t, "explanation"));
                JsonElement causes = t.get("causes");
                if (causes != null && causes.isJsonArray()) {
                    causes.getAsJsonArray().forEach(c -> out.add("  - " + text(c)));
                }
                out.add("  > " + text(t, "remedy"));
            }
            return out;
        });
    }

    private List<String> selftest() {
        return call("selftest", new JsonObject(), r -> {
            List<String> out = new ArrayList<>();
            JsonObject doc = object(r, "result");
            out.add("self-test " + ("true".equals(text(r, "passed")) ? "PASSED" : "FAILED") + " at "
                    + ConsoleFormat.time(doc.get("at")) + " UTC");
            List<List<String>> rows = new ArrayList<>();
            for (JsonElement c : doc.getAsJsonArray("checks")) {
                JsonObject x = c.getAsJsonObject();
                rows.add(List.of("true".equals(text(x, "ok")) ? "ok" : "FAIL", text(x, "code"), text(x, "name"),
                        text(x, "detail")));
            }
            out.addAll(ConsoleFormat.table(List.of("result", "code", "check", "detail"), rows));
            out.add("signed result (give it to Oviron; check it with: tools vendor selftest verify):");
            out.add(text(r, "jws"));
            JsonObject key = object(r, "unitKey");
            out.add("unit key " + text(key, "kid") + ": " + text(key, "publicKey"));
            return out;
        });
    }

    private List<String> key() {
        return call("selftest.key", new JsonObject(), r -> {
            List<String> out = new ArrayList<>(ConsoleFormat.keyValues(List.of(Map.entry("algorithm", text(r, "alg")),
                    Map.entry("key id", text(r, "kid")), Map.entry("public key (base64url)", text(r, "publicKey")))));
            out.addAll(List.of(text(r, "pem").split("\n")));
            return out;
        });
    }

    /**
     * {@code report <from> <to>} with dates: saves a report page on the unit (and copies it to the export folder).
     *
     * @return empty when the words are not two dates
     */
    Optional<List<String>> reportPage(String[] words) {
        if (words.length != 2 || !words[0].contains("-")) {
            return Optional.empty();
        }
        long from;
        long to;
        try {
            from = instant(words[0]);
            to = instant(words[1]);
        } catch (DateTimeParseException e) {
            return Optional.of(List.of("usage: report <from> <to>   dates (UTC) as 2026-11-01 or 2026-11-01T08:30"));
        }
        JsonObject args = new JsonObject();
        args.addProperty("from", from);
        args.addProperty("to", to);
        args.addProperty("format", "html");
        args.addProperty("deliver", "file");
        return Optional.of(call("report.get", args, r -> {
            List<String> out = new ArrayList<>();
            out.add("report page saved: " + text(r, "path") + " (" + text(r, "size") + " bytes, sha256 "
                    + text(r, "sha256") + ")");
            if (r.has("exportedTo")) {
                out.add("copied to " + text(r, "exportedTo") + " (safe to remove the USB stick once it is synced)");
            } else if (r.has("exportError")) {
                out.add("not copied to the USB stick: " + text(r, "exportError"));
            }
            return out;
        }));
    }

    private static long instant(String text) {
        if (text.length() == 10) {
            return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        }
        return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).toEpochMilli();
    }
}
