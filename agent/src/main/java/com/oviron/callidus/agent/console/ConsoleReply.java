package com.oviron.callidus.agent.console;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a typed line comes to: lines to print and, for a dialog (a PIN, a new PIN twice, a token), the next
 * question, whose answer goes to it instead of being run as a word.
 */
record ConsoleReply(List<String> lines, Optional<ConsoleReply.Question> question) {
    ConsoleReply {
        lines = List.copyOf(lines);
        Objects.requireNonNull(question, "question");
    }

    /**
     * A question to the person at the console.
     *
     * @param prompt shown instead of the usual prompt, e.g. {@code "PIN or technician token: "}
     * @param masked whether the answer is echoed as stars (a secret)
     * @param answer what the answer comes to; Ctrl-C drops the question
     */
    record Question(String prompt, boolean masked, Function<String, ConsoleReply> answer) {
        Question {
            Objects.requireNonNull(prompt, "prompt");
            Objects.requireNonNull(answer, "answer");
        }
    }

    static ConsoleReply of(List<String> lines) {
        return new ConsoleReply(lines, Optional.empty());
    }

    static ConsoleReply of(String... lines) {
        return of(List.of(lines));
    }

    static ConsoleReply ask(List<String> lines, String prompt, boolean masked, Function<String, ConsoleReply> answer) {
        return new ConsoleReply(lines, Optional.of(new Question(prompt, masked, answer)));
    }
}
