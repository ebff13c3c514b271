package com.oviron.callidus.agent.console;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The console's help: one line per word for {@code help}, and {@code help <word>} with an example. */
final class HelpTexts {

    /**
     * @param usage   how it is typed
     * @param summary one line for the list
     * @param needs   what it needs: nothing, a login, a role
     * @param more    further lines for {@code help <word>}
     * @param example a line to type
     */
    record Word(String usage, String summary, String needs, List<String> more, String example) {
    }

    private static final String READ = "nothing (read-only)";
    private static final Map<String, Word> WORDS = new LinkedHashMap<>();

    static {
        add("help", new Word("help [word]", "this list, or one word explained", READ, List.of(), "help report"));
        add("status", new Word("status", "the unit's status", READ, List.of(), "status"));
        add("diag", new Word("diag", "diagnostics: channels, alarms, counters, storage, link", READ,
                List.of("alarms are the channels whose newest reading is not good"), "diag"));
        add("sub", new Word("sub", "the subscription: state, end dates, reminder, clock", READ, List.of(), "sub"));
        add("report", new Word("report <hours> [bucketMin]", "figures per channel over the last hours", READ,
                List.of("hours 1..9600; without bucket minutes the period is cut into 12 buckets"), "report 24 60"));
        add("report page", new Word("report <from> <to>", "save a report page, e.g. report 2026-11-01 2026-12-01",
                READ, List.of("dates in UTC: 2026-11-01 (midnight) or 2026-11-01T08:30",
                        "the page is copied to the USB stick when diagnostics.reports.exportFolder is set"),
                "report 2026-11-01 2026-12-01"));
        add("alarms", new Word("alarms", "the open alarms: code, what, since, remedy", READ, List.of(), "alarms"));
        add("ack", new Word("ack <id|all>", "acknowledge an alarm (or all of them)", "a login (clinic or service)",
                List.of("an alarm stays open until it is both cleared and acknowledged"), "ack 7"));
        add("code", new Word("code <code>", "what an error code means and what to do (English, Bulgarian)", READ,
                List.of(), "code A121"));
        add("selftest", new Word("selftest", "run the self-test; prints the signed result",
                "a login (clinic or service)", List.of("copy the signed result for Oviron; it proves what the unit"
                        + " found"), "selftest"));
        add("key", new Word("key", "the unit's public key (it signs the self-test and service records)", READ,
                List.of(), "key"));
        add("commands", new Word("commands", "the names of all commands of the unit", READ, List.of(), "commands"));
        add("token", new Word("token <token>", "install a subscription token (paste it on one line)",
                "nothing: the token is signed by Oviron (audited)", List.of("the unit checks it as one from the cloud"),
                "token eyJhbGciOiJFZERTQSIs..."));
        add("clock challenge", new Word("clock challenge", "a nonce for Oviron to sign a time statement with", READ,
                List.of("read it to Oviron's service; it answers with a signed time statement"), "clock challenge"));
        add("clock set", new Word("clock set <statement>", "install a signed time statement: corrects trusted time",
                "nothing: the statement is signed by Oviron (audited)", List.of("it answers the nonce of clock"
                        + " challenge, once"), "clock set eyJhbGciOiJFZERTQSIs..."));
        add("log", new Word("log <debug|info|warn|error>", "set the log level", "the service role",
                List.of("lasts until the agent restarts"), "log debug"));
        add("cmd", new Word("cmd <name> [json-args]", "run any command, print its reply (for experts)",
                "what the command needs (commands that read need nothing; changes need a login)",
                List.of("the arguments are checked as the cloud's are"), "cmd live.start {\"seconds\":60}"));
        add("login", new Word("login", "log in with the clinic PIN or a technician token", "nothing",
                List.of("the PIN or token is asked for on the next line and shown as stars",
                        "wrong PINs lock the PIN login for a growing time; a technician token still works",
                        "the session ends with logout, after the idle time without input, or when the token"
                                + " expires"), "login"));
        add("logout", new Word("logout", "end the session", "a login", List.of(), "logout"));
        add("whoami", new Word("whoami", "who is logged in, how, until when", READ, List.of(), "whoami"));
        add("passwd", new Word("passwd [reset]", "set the clinic PIN; passwd reset: with a reset token",
                "a login (with the PIN: the current PIN); passwd reset needs nothing but the reset token",
                List.of("a PIN is 6 to 12 digits", "forgotten PIN: call Oviron for a reset token for this unit,"
                        + " then type passwd reset"), "passwd"));
        add("consent", new Word("consent [grant [minutes] | revoke]", "remote support: show, allow, take back",
                "grant: a clinic or service login at this console; show and revoke: nothing",
                List.of("while allowed, Oviron's service may open this console remotely",
                        "the consent button (held 2 s) allows or takes back too"), "consent grant 30"));
        add("service-record", new Word("service-record", "sign, save and send the record of this session",
                "a login", List.of("technician, times, every action and result, alarms before and after,"
                        + " the self-test if one was run; signed with the unit's own key"), "service-record"));
        add("audit", new Word("audit [count]", "the newest entries of the unit's audit trail", "a login",
                List.of("count 1..200, default 20"), "audit 50"));
    }

    private HelpTexts() {
    }

    private static void add(String name, Word word) {
        WORDS.put(name, word);
    }

    /** One line per word, aligned. */
    static List<String> list() {
        List<String> lines = new ArrayList<>();
        for (Word w : WORDS.values()) {
            String usage = w.usage().length() < 28 ? w.usage() + " ".repeat(28 - w.usage().length()) : w.usage() + " ";
            lines.add(usage + w.summary());
        }
        lines.add("help <word> explains one word with an example");
        return lines;
    }

    /** {@code help <word>} ({@code help clock} and {@code help report} explain both forms). */
    static Optional<List<String>> of(String word) {
        String key = word.toLowerCase(Locale.ROOT).strip().replaceAll("\\s+", " ");
        if (key.equals("clock")) {
            List<String> both = new ArrayList<>(of("clock challenge").orElseThrow());
            both.addAll(of("clock set").orElseThrow());
            return Optional.of(both);
        }
        if (key.equals("report")) {
            List<String> both = new ArrayList<>(describe(WORDS.get("report")));
            both.addAll(describe(WORDS.get("report page")));
            return Optional.of(both);
        }
        Word w = WORDS.get(key);
        if (w == null) {
            return Optional.empty();
        }
        return Optional.of(describe(w));
    }

    private static List<String> describe(Word w) {
        List<String> lines = new ArrayList<>();
        lines.add("usage: " + w.usage());
        lines.add("  " + w.summary());
        w.more().forEach(m -> lines.add("  " + m));
        lines.add("  needs: " + w.needs());
        lines.add("  example: " + w.example());
        return lines;
    }
}
