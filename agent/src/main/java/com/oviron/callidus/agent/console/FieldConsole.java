package com.oviron.callidus.agent.console;

import com.google.gson.JsonObject;
import com.oviron.callidus.agent.access.CommandPermissions;
import com.oviron.callidus.agent.access.Origin;
import com.oviron.callidus.agent.access.Secrets;
import com.oviron.callidus.cloud.command.CommandChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.tinylog.Logger;

/**
 * The field technician's console on the unit's service serial port: a prompt ({@value #PROMPT}), line editing
 * with echo ({@link LineEditor}), and short words ({@code status}, {@code diag}, {@code sub}, {@code token}...,
 * {@code help} lists them) that run the unit's commands through {@link CommandChannel#runLocal}: the same
 * handlers as the cloud's, without the subscription check, so the unit's own functions and diagnostics work
 * whatever the subscription says. Output lines end with CRLF; control characters in replies are shown as '?'.
 *
 * <p>Asynchronous {@link #notice notices} (subscription reminders) are printed on their own line; the prompt
 * and what was typed so far are printed again after them. When a technician logs in (the first line typed
 * after start or after {@value #LOGIN_IDLE_MINUTES} minutes without input) the login notice (the renewal
 * reminder, if due) is printed once before the answer.
 *
 * <p>Access (docs/console.md, "Access"): the prompt shows the unit's serial and who is logged in
 * ({@link ConsoleSession}); a word that changes the unit needs a login with the right role, and what it did is
 * audited; a secret asked for (PIN, token) is echoed as stars, and nothing printed shows a secret
 * ({@link com.oviron.callidus.agent.access.Secrets}). A session ends on {@code logout}, after the idle time and
 * when its token expires.
 *
 * <p>Thread: one, "console" (a remote console: "remote-console"), which alone uses the transport; it waits up to
 * {@link #COMMAND_TIMEOUT} for a command's reply ("busy, try again" after that). When the device vanishes it
 * logs once, waits and tries again (the transport reopens it), and greets again when it is back; a remote
 * console instead ends when its transport does.
 */
public final class FieldConsole implements AutoCloseable {
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    static final int LOGIN_IDLE_MINUTES = 10;
    /** Without input for this long, the next line is a new login. */
    public static final Duration LOGIN_IDLE = Duration.ofMinutes(LOGIN_IDLE_MINUTES);
    static final String GREETING = "CALLIDUS field console; type help for the commands";
    /** Notices waiting to be printed at most (the oldest are dropped beyond). */
    static final int MAX_WAITING_NOTICES = 32;
    private static final Duration POLL = Duration.ofMillis(100);
    private static final byte[] CRLF = {'\r', '\n'};

    private final ConsoleTransport transport;
    private final CommandChannel channel;
    private final ConsoleSession session;
    private final ConsoleCommands commands;
    private final String greeting;
    private final boolean remote;
    private final Supplier<Optional<String>> loginNotice;
    private final Clock clock;
    private final Duration retryPause;
    private final Duration commandTimeout;
    private final BlockingQueue<String> notices = new ArrayBlockingQueue<>(MAX_WAITING_NOTICES);
    private final AtomicLong droppedNotices = new AtomicLong();
    private final LineEditor editor = new LineEditor();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Thread thread;
    private volatile boolean running;
    private boolean promptShown;
    private boolean greeted;
    private boolean deviceFailing;
    private boolean loginPending;
    private long lastInputMillis = -1;
    private Optional<ConsoleReply.Question> question = Optional.empty();

    /**
     * The console on the unit's service port.
     *
     * @param transport   the byte pipe (closed by {@link #close})
     * @param channel     the unit's command channel; every word runs through {@link CommandChannel#runLocal}
     * @param access      the serial for the prompt, the audit trail, logins
     * @param loginNotice the notice to print when a technician logs in, e.g.
     *                    {@code () -> SubscriptionNotices.of(subscription.status())}
     * @param clock       for the idle time and the period of {@code report}
     * @param retryPause  the wait after the device failed before trying it again
     */
    public FieldConsole(ConsoleTransport transport, CommandChannel channel, ConsoleAccess access,
                        Supplier<Optional<String>> loginNotice, Clock clock, Duration retryPause) {
        this(transport, channel, access, loginNotice, clock, retryPause, COMMAND_TIMEOUT, false, GREETING);
    }

    FieldConsole(ConsoleTransport transport, CommandChannel channel, ConsoleAccess access,
                 Supplier<Optional<String>> loginNotice, Clock clock, Duration retryPause, Duration commandTimeout,
                 boolean remote, String greeting) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.channel = Objects.requireNonNull(channel, "channel");
        this.loginNotice = Objects.requireNonNull(loginNotice, "loginNotice");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retryPause = Objects.requireNonNull(retryPause, "retryPause");
        this.commandTimeout = Objects.requireNonNull(commandTimeout, "commandTimeout");
        this.remote = remote;
        this.greeting = Objects.requireNonNull(greeting, "greeting");
        this.session = new ConsoleSession(remote ? Origin.REMOTE_CONSOLE : Origin.CONSOLE, access, clock);
        this.commands = new ConsoleCommands(this::runCommand, clock, session);
        this.thread = new Thread(this::run, remote ? "remote-console" : "console");
        this.thread.setDaemon(true);
    }

    /**
     * A remote console (docs/console.md, "Remote support"): the same words over the cloud link; it ends when its
     * transport ends, and a person at the unit can never be impersonated by it (consent is given at the unit).
     */
    public static FieldConsole remote(ConsoleTransport transport, CommandChannel channel, ConsoleAccess access,
                                      String greeting, Clock clock) {
        return new FieldConsole(transport, channel, access, Optional::empty, clock, Duration.ofMillis(100),
                COMMAND_TIMEOUT, true, greeting);
    }

    /** The console on the serial device of {@code settings} (opened when first used, reopened with backoff). */
    public static FieldConsole open(ConsoleSettings settings, CommandChannel channel, ConsoleAccess access,
                                    Supplier<Optional<String>> loginNotice, Clock clock) {
        return new FieldConsole(SerialConsoleTransport.open(settings), channel, access, loginNotice, clock,
                settings.reopenMin());
    }

    /** Starts the "console" thread. */
    public void start() {
        running = true;
        thread.start();
        Logger.info("field console started");
    }

    /**
     * Prints {@code line} on the console as soon as possible, without breaking a line being typed; callable
     * from any thread, never blocks. At most {@value #MAX_WAITING_NOTICES} wait (while the device is away).
     */
    public void notice(String line) {
        Objects.requireNonNull(line, "line");
        while (!notices.offer(line)) {
            if (notices.poll() != null) {
                droppedNotices.incrementAndGet();
            }
        }
    }

    /** Notices dropped because too many were waiting. */
    public long droppedNotices() {
        return droppedNotices.get();
    }

    private void run() {
        byte[] in = new byte[256];
        while (running) {
            try {
                if (!promptShown) {
                    if (!greeted) {
                        line(greeting);
                        greeted = true;
                    }
                    prompt();
                }
                printNotices();
                flush();
                int n = transport.read(in, POLL);
                if (deviceFailing) {
                    deviceFailing = false;
                    Logger.info("console device available again");
                }
                if (n > 0) {
                    typed(in, n);
                }
                session.expire(lastInputMillis).ifPresent(this::sessionEnded);
                flush();
            } catch (IOException | UncheckedIOException e) {
                if (remote) {
                    running = false;
                    session.end("the remote console closed");
                    return;
                }
                deviceLost(e);
            } catch (RuntimeException e) {
                Logger.error(e, "console failed; going on");
                out.reset();
                promptShown = false;
                pause();
            }
        }
    }

    /** A session that ran out: a notice on its own line, any question dropped, the new prompt. */
    private void sessionEnded(String notice) {
        dropQuestion();
        if (promptShown) {
            out.writeBytes(CRLF);
        }
        line(notice);
        if (promptShown) {
            prompt();
        }
    }

    private void dropQuestion() {
        question = Optional.empty();
        editor.mask(false);
    }

    private void deviceLost(Exception e) {
        out.reset();
        dropQuestion();
        if (!deviceFailing) {
            deviceFailing = true;
            Logger.warn("console device unavailable error={}", e.getMessage());
        }
        promptShown = false;
        greeted = false;
        pause();
    }

    private void pause() {
        try {
            Thread.sleep(retryPause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void typed(byte[] in, int n) throws IOException {
        long now = clock.millis();
        if (lastInputMillis < 0 || now - lastInputMillis >= LOGIN_IDLE.toMillis()) {
            loginPending = true;
        }
        lastInputMillis = now;
        for (int i = 0; i < n && running; i++) {
            switch (editor.feed(in[i], out)) {
                case LINE -> {
                    out.writeBytes(CRLF);
                    promptShown = false;
                    if (loginPending) {
                        loginPending = false;
                        printLoginNotice();
                    }
                    ConsoleReply reply = execute(editor.line());
                    lines(reply.lines());
                    question = reply.question();
                    editor.mask(question.map(ConsoleReply.Question::masked).orElse(false));
                    prompt();
                }
                case OVERLONG -> {
                    out.writeBytes(CRLF);
                    line("line too long (over " + LineEditor.MAX_LINE_BYTES + " bytes); it was dropped");
                    prompt();
                }
                case CANCELLED -> {
                    out.writeBytes(CRLF);
                    if (question.isPresent()) {
                        dropQuestion();
                        line("cancelled");
                    }
                    prompt();
                }
                case NOTHING -> {
                }
            }
        }
        // one write for what these bytes echoed (a remote console sends a frame per write)
        flush();
    }

    private ConsoleReply execute(String line) {
        try {
            if (question.isPresent()) {
                ConsoleReply.Question q = question.get();
                dropQuestion();
                return q.answer().apply(line);
            }
            return commands.execute(line);
        } catch (UncheckedIOException e) {
            throw e;
        } catch (RuntimeException e) {
            Logger.error(e, "console command failed");
            return ConsoleReply.of("internal error: " + e.getClass().getSimpleName());
        }
    }

    private void printLoginNotice() {
        try {
            loginNotice.get().ifPresent(this::line);
        } catch (RuntimeException e) {
            Logger.error(e, "console login notice failed");
        }
    }

    /**
     * Runs a command if who is logged in may, and waits for its reply, printing notices meanwhile; empty after
     * the timeout. A command that changes the unit is audited with its outcome (also when it was refused).
     */
    private Optional<JsonObject> runCommand(String name, JsonObject args) {
        Optional<JsonObject> refusal = session.refusal(name);
        Optional<JsonObject> reply = refusal.isPresent() ? refusal : runPermitted(name, args);
        if (CommandPermissions.audited(name)) {
            session.access().auditor().command(session.actor(), session.role(), session.origin(), name, args,
                    reply.orElse(ConsoleSession.error("no_answer", "no answer within "
                            + commandTimeout.toSeconds() + " s (it may still be carried out)")));
        }
        return reply;
    }

    private Optional<JsonObject> runPermitted(String name, JsonObject args) {
        flushUnchecked();
        CompletableFuture<JsonObject> reply = channel.runLocal(name, args, remote ? "remote" : "console");
        long deadline = System.nanoTime() + commandTimeout.toNanos();
        while (true) {
            try {
                return Optional.of(reply.get(Math.max(1, Math.min(POLL.toNanos(), deadline - System.nanoTime())),
                        TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                if (System.nanoTime() - deadline >= 0) {
                    Logger.warn("console command not answered in time name={} seconds={}", name,
                            commandTimeout.toSeconds());
                    return Optional.empty();
                }
                printNotices();
                flushUnchecked();
            } catch (ExecutionException e) {
                JsonObject error = new JsonObject();
                error.addProperty("code", "failed");
                error.addProperty("message", String.valueOf(e.getCause()));
                JsonObject failed = new JsonObject();
                failed.addProperty("ok", false);
                failed.add("error", error);
                return Optional.of(failed);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
                return Optional.empty();
            }
        }
    }

    private void printNotices() {
        boolean any = false;
        String notice;
        while ((notice = notices.poll()) != null) {
            if (promptShown && !any) {
                out.writeBytes(CRLF);
            }
            any = true;
            line(notice);
        }
        if (any && promptShown) {
            out.writeBytes(currentPrompt().getBytes(StandardCharsets.UTF_8));
            out.writeBytes(editor.pending());
        }
    }

    private void prompt() {
        out.writeBytes(currentPrompt().getBytes(StandardCharsets.UTF_8));
        promptShown = true;
    }

    private String currentPrompt() {
        return ConsoleFormat.clean(question.map(ConsoleReply.Question::prompt).orElseGet(session::prompt));
    }

    private void lines(List<String> lines) {
        lines.forEach(this::line);
    }

    private void line(String text) {
        for (String l : text.split("\r?\n", -1)) {
            out.writeBytes(ConsoleFormat.clean(Secrets.redact(l)).getBytes(StandardCharsets.UTF_8));
            out.writeBytes(CRLF);
        }
    }

    private void flush() throws IOException {
        if (out.size() > 0) {
            byte[] bytes = out.toByteArray();
            out.reset();
            transport.write(bytes);
        }
    }

    private void flushUnchecked() {
        try {
            flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the thread (waits up to 5 s for it), ends a session still open and closes the transport. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            session.end(remote ? "the remote console closed" : "the console stopped");
        }
        transport.close();
    }
}
