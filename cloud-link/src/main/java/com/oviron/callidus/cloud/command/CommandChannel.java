package com.oviron.callidus.cloud.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.IntervalLog;
import com.oviron.callidus.cloud.MessageProperties;
import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.commands.CommandJournal;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.tinylog.Logger;

/**
 * The unit's side of the command protocol (docs/protocol.md, "Commands"): subscribes to
 * {@link Topics#commands()}, carries out each command once on its own executor, and publishes the reply on
 * {@link Topics#replies()}.
 *
 * <p>Order of checks for each message: size and syntax ({@link CommandCodec#parse}); the journal (a command
 * seen before is answered again with its first reply, marked {@code "repeated": true}, and not carried out
 * again; one that was interrupted by a restart is answered {@code interrupted}); expiry; entitlement; the
 * handler. Every outcome is logged with the command's id and name, and answered.
 *
 * <p>Threads: the connection's thread only parses and posts; handlers run one at a time on
 * {@code executor} (a single thread named "commands" in the agent), whose queue is bounded: a command that
 * finds it full is answered {@code busy}.
 */
public final class CommandChannel implements AutoCloseable {
    private final MqttConnection link;
    private final Topics topics;
    private final CommandJournal journal;
    private final ExecutorService executor;
    private final Clock clock;
    private final Map<String, CommandHandler> handlers = new ConcurrentHashMap<>();
    private volatile Predicate<String> entitled = name -> true;
    private volatile java.util.function.LongConsumer serverTime = millis -> { };
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong executed = new AtomicLong();
    private final AtomicLong repeated = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    // a flood of commands must not flood the log: each kind of refusal once a minute, with a count
    private final IntervalLog refusedLog = new IntervalLog(LOG_INTERVAL);
    private final IntervalLog busyLog = new IntervalLog(LOG_INTERVAL);
    private final IntervalLog replyLog = new IntervalLog(LOG_INTERVAL);
    private final IntervalLog routeLog = new IntervalLog(LOG_INTERVAL);
    private static final java.time.Duration LOG_INTERVAL = java.time.Duration.ofMinutes(1);

    /** Counters since start. */
    public record Stats(long received, long executed, long repeated, long refused) {
    }

    /**
     * @param executor where handlers run; a single thread with a bounded queue (a full queue means "busy")
     */
    public CommandChannel(MqttConnection link, Topics topics, CommandJournal journal, ExecutorService executor,
                          Clock clock) {
        this.link = link;
        this.topics = topics;
        this.journal = journal;
        this.executor = executor;
        this.clock = clock;
        register("commands.list", c -> {
            c.arguments().allowOnly();
            JsonArray names = new JsonArray();
            new TreeMap<>(handlers).keySet().forEach(names::add);
            JsonObject result = new JsonObject();
            result.add("commands", names);
            return result;
        });
    }

    /** Adds a command; names are unique. */
    public void register(String name, CommandHandler handler) {
        if (!Command.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("command name must match " + Command.NAME.pattern() + ": " + name);
        }
        if (handlers.putIfAbsent(name, handler) != null) {
            throw new IllegalArgumentException("command " + name + " is registered twice");
        }
    }

    /**
     * Which commands the subscription allows now (issue 6): a command it refuses is answered
     * {@code not_entitled} and not carried out.
     */
    public void setEntitlement(Predicate<String> allowed) {
        this.entitled = allowed;
    }

    /**
     * Told the cloud's clock ({@code issuedAt}, epoch ms) of each new command that arrived within its expiry
     * over the authenticated link: a source of trusted time for the subscription (issue 6).
     */
    public void setServerTimeListener(java.util.function.LongConsumer listener) {
        this.serverTime = listener;
    }

    /** Subscribes; call before the connection starts so that the first connect already subscribes. */
    public void start() {
        try {
            int pruned = journal.prune(clock.millis());
            Logger.info("command journal entries={} pruned={}", journal.size(), pruned);
        } catch (StoreException e) {
            Logger.error("command journal not pruned error={}", e.getMessage());
        }
        link.subscribe(topics.commands(), 1, new com.oviron.callidus.cloud.MessageListener() {
            @Override
            public void arrived(String topic, byte[] payload) {
                CommandChannel.this.arrived(payload, MessageProperties.NONE);
            }

            @Override
            public void arrived(String topic, byte[] payload, MessageProperties properties) {
                CommandChannel.this.arrived(payload, properties);
            }

            @Override
            public void tooLarge(String topic, long payloadBytes) {
                CommandChannel.this.tooLarge(payloadBytes);
            }
        });
    }

    public Stats stats() {
        return new Stats(received.get(), executed.get(), repeated.get(), refused.get());
    }

    /**
     * Carries out a command given at the unit itself (the field console), on the same thread as the cloud's
     * commands and with the same handlers and argument checks, but without the journal, an expiry or the
     * subscription check: the unit's own functions never depend on the subscription. The reply is not
     * published.
     *
     * @param source who gave it, for the log (e.g. "console")
     * @return the reply, as it would be published
     */
    public java.util.concurrent.CompletableFuture<JsonObject> runLocal(String name, JsonObject args, String source) {
        java.util.concurrent.CompletableFuture<JsonObject> result = new java.util.concurrent.CompletableFuture<>();
        String id = source + "-" + LOCAL_IDS.incrementAndGet();
        Command command;
        try {
            command = new Command(id, name, args, clock.millis(), Long.MAX_VALUE);
        } catch (IllegalArgumentException e) {
            result.complete(parseReply(CommandCodec.failure(topics.deviceId(), Optional.of(id), Optional.empty(),
                    ErrorCode.MALFORMED, e.getMessage(), clock.millis())));
            return result;
        }
        try {
            executor.execute(() -> {
                try {
                    result.complete(parseReply(executeLocal(command)));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.complete(parseReply(failure(command, ErrorCode.BUSY, "the unit's command queue is full")));
        }
        return result;
    }

    private static final AtomicLong LOCAL_IDS = new AtomicLong();

    private byte[] executeLocal(Command command) {
        CommandHandler handler = handlers.get(command.name());
        if (handler == null) {
            return failure(command, ErrorCode.UNKNOWN_COMMAND, "no command named " + command.name());
        }
        try {
            JsonElement result = handler.handle(command);
            Logger.info("command done id={} name={} ok=true (local)", command.id(), command.name());
            return CommandCodec.success(topics.deviceId(), command, result, clock.millis());
        } catch (CommandException e) {
            Logger.warn("command done id={} name={} ok=false code={} reason={} (local)", command.id(), command.name(),
                    e.code().wire(), e.getMessage());
            return failure(command, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            Logger.error(e, "command failed id={} name={} (local)", command.id(), command.name());
            return failure(command, ErrorCode.FAILED, "internal error: " + e);
        }
    }

    private static JsonObject parseReply(byte[] reply) {
        return com.google.gson.JsonParser.parseString(new String(reply, java.nio.charset.StandardCharsets.UTF_8))
                .getAsJsonObject();
    }

    /** The names of the registered commands, sorted. */
    public java.util.SortedSet<String> commandNames() {
        return new java.util.TreeSet<>(handlers.keySet());
    }

    /**
     * Called on the connection's thread for a command larger than the link reads: it was dropped unread, so its
     * id is unknown (a prefix of a JSON object does not reliably give it: the fields may come in any order,
     * and the id may come after the large part). The reply is {@code too_large} without an id, naming the size;
     * the cloud recognises it by the missing id and the size of what it sent.
     */
    void tooLarge(long payloadBytes) {
        received.incrementAndGet();
        refused.incrementAndGet();
        long notLogged = refusedLog.occurred();
        if (notLogged >= 0) {
            Logger.warn("command refused id=? name=? code=too_large reason=dropped unread by the link bytes={}"
                    + " notLogged={}", payloadBytes, notLogged);
        }
        reply(ReplyRoute.DEFAULT, CommandCodec.failure(topics.deviceId(), Optional.empty(), Optional.empty(), ErrorCode.TOO_LARGE,
                "a command of " + payloadBytes + " bytes arrived; at most " + CommandCodec.MAX_COMMAND_BYTES
                        + " are accepted, it was dropped unread", clock.millis()));
    }

    /** Called on the connection's thread: parse, then hand over. */
    void arrived(byte[] payload) {
        arrived(payload, MessageProperties.NONE);
    }

    /** As {@link #arrived(byte[])}, with the message's MQTT 5 properties (response topic, expiry). */
    void arrived(byte[] payload, MessageProperties properties) {
        received.incrementAndGet();
        ReplyRoute route = route(properties);
        OptionalLong deadline = properties.messageExpiry().map(e -> clock.millis() + e.toMillis())
                .map(OptionalLong::of).orElse(OptionalLong.empty());
        Command command;
        try {
            command = CommandCodec.parse(payload);
        } catch (CommandCodec.ParseFailure f) {
            refused.incrementAndGet();
            long notLogged = refusedLog.occurred();
            if (notLogged >= 0) {
                Logger.warn("command refused id={} name={} code={} reason={} bytes={} notLogged={}",
                        f.id().orElse("?"), f.name().orElse("?"), f.code().wire(), f.getMessage(), payload.length,
                        notLogged);
            }
            reply(route, CommandCodec.failure(topics.deviceId(), f.id(), f.name(), f.code(), f.getMessage(),
                    clock.millis()));
            return;
        }
        try {
            executor.execute(() -> process(command, route, deadline));
        } catch (RejectedExecutionException e) {
            refused.incrementAndGet();
            long notLogged = busyLog.occurred();
            if (notLogged >= 0) {
                Logger.warn("command refused id={} name={} code=busy reason=queue full notLogged={}", command.id(),
                        command.name(), notLogged);
            }
            reply(route, CommandCodec.failure(topics.deviceId(), Optional.of(command.id()), Optional.of(command.name()),
                    ErrorCode.BUSY, "the unit's command queue is full; retry later", clock.millis()));
        }
    }

    private void process(Command command, ReplyRoute route, OptionalLong deadline) {
        long now = clock.millis();
        Optional<CommandJournal.Entry> earlier;
        try {
            earlier = journal.begin(command.id(), command.name(), command.expiresAtMillis(), now);
        } catch (StoreException e) {
            Logger.error("command not carried out: journal unavailable id={} name={} error={}", command.id(),
                    command.name(), e.getMessage());
            reply(route, failure(command, ErrorCode.FAILED, "the unit's command journal is unavailable: "
                    + e.getMessage()));
            return;
        }
        if (earlier.isPresent()) {
            answerRepeated(command, earlier.get(), route);
            return;
        }
        byte[] reply = execute(command, now, deadline);
        try {
            journal.complete(command.id(), reply);
        } catch (StoreException e) {
            Logger.error("command reply not journaled id={} error={}", command.id(), e.getMessage());
        }
        reply(route, reply);
    }

    private byte[] execute(Command command, long now, OptionalLong deadline) {
        long started = System.nanoTime();
        try {
            CommandCodec.checkExpiry(command, now);
            if (deadline.isPresent() && now > deadline.getAsLong()) {
                throw new CommandException(ErrorCode.EXPIRED, "its MQTT message expiry passed "
                        + (now - deadline.getAsLong()) + " ms before the unit could carry it out");
            }
            if (command.issuedAtMillis() > 0) {
                serverTime.accept(command.issuedAtMillis());
            }
            CommandHandler handler = handlers.get(command.name());
            if (handler == null) {
                throw new CommandException(ErrorCode.UNKNOWN_COMMAND, "no command named " + command.name()
                        + " (commands.list tells which there are)");
            }
            if (!entitled.test(command.name())) {
                throw new CommandException(ErrorCode.NOT_ENTITLED, "the unit's subscription does not cover "
                        + command.name() + " now");
            }
            JsonElement result = handler.handle(command);
            executed.incrementAndGet();
            Logger.info("command done id={} name={} ok=true ms={}", command.id(), command.name(),
                    (System.nanoTime() - started) / 1_000_000);
            return CommandCodec.success(topics.deviceId(), command, result, clock.millis());
        } catch (CommandException e) {
            refused.incrementAndGet();
            Logger.warn("command done id={} name={} ok=false code={} reason={}", command.id(), command.name(),
                    e.code().wire(), e.getMessage());
            return failure(command, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            refused.incrementAndGet();
            Logger.error(e, "command failed id={} name={}", command.id(), command.name());
            return failure(command, ErrorCode.FAILED, "internal error: " + e);
        }
    }

    private void answerRepeated(Command command, CommandJournal.Entry earlier, ReplyRoute route) {
        repeated.incrementAndGet();
        if (earlier.reply().isPresent()) {
            Logger.info("command repeated, answered again without carrying it out id={} name={}", command.id(),
                    command.name());
            reply(route, CommandCodec.markRepeated(earlier.reply().get()));
        } else {
            // the first arrival's entry has no reply: the unit stopped while carrying it out
            Logger.warn("command repeated after an interrupted run id={} name={}", command.id(), command.name());
            byte[] reply = failure(command, ErrorCode.INTERRUPTED, "the unit restarted while carrying out this"
                    + " command; check the state it reports and send a new command (a new id) if still needed");
            try {
                journal.complete(command.id(), reply);
            } catch (StoreException e) {
                Logger.error("command reply not journaled id={} error={}", command.id(), e.getMessage());
            }
            reply(route, reply);
        }
    }

    private byte[] failure(Command command, ErrorCode code, String message) {
        return CommandCodec.failure(topics.deviceId(), Optional.of(command.id()), Optional.of(command.name()), code,
                message, clock.millis());
    }

    /**
     * Where a reply goes: the command's MQTT 5 response topic, if the cloud gave one within the unit's reply topics
     * ({@code reply} or below it), otherwise {@code reply}; with the command's correlation data, if any (at most
     * {@value #MAX_CORRELATION_BYTES} bytes). docs/protocol.md, "Commands under MQTT 5".
     */
    record ReplyRoute(Optional<String> topic, MessageProperties properties) {
        static final ReplyRoute DEFAULT = new ReplyRoute(Optional.empty(), MessageProperties.NONE);
    }

    /** Correlation data longer than this is not sent back (the reply's id still names the command). */
    static final int MAX_CORRELATION_BYTES = 1024;
    /** A response topic longer than this is not used. */
    static final int MAX_RESPONSE_TOPIC_BYTES = 256;

    private ReplyRoute route(MessageProperties properties) {
        Optional<String> topic = properties.responseTopic().filter(this::withinReplyTopics);
        if (properties.responseTopic().isPresent() && topic.isEmpty()) {
            long notLogged = routeLog.occurred();
            if (notLogged >= 0) {
                Logger.warn("command response topic not used, replying on {} responseTopic={} notLogged={}",
                        topics.replies(), properties.responseTopic().get(), notLogged);
            }
        }
        Optional<byte[]> correlation = properties.correlationData();
        if (correlation.isPresent() && correlation.get().length > MAX_CORRELATION_BYTES) {
            long notLogged = routeLog.occurred();
            if (notLogged >= 0) {
                Logger.warn("command correlation data too long, not sent back bytes={} maxBytes={} notLogged={}",
                        correlation.get().length, MAX_CORRELATION_BYTES, notLogged);
            }
            correlation = Optional.empty();
        }
        return new ReplyRoute(topic, correlation.map(MessageProperties::correlation).orElse(MessageProperties.NONE));
    }

    private boolean withinReplyTopics(String topic) {
        String own = topics.replies();
        return topic.equals(own) || (topic.startsWith(own + "/") && !topic.endsWith("/") && !topic.contains("//")
                && topic.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_RESPONSE_TOPIC_BYTES);
    }

    private void reply(ReplyRoute route, byte[] payload) {
        link.publish(route.topic().orElse(topics.replies()), payload, 1, false, route.properties()).whenComplete((ok, e) -> {
            if (e != null) {
                long notLogged = replyLog.occurred();
                if (notLogged >= 0) {
                    Logger.warn("command reply not published (the cloud gets it again by repeating the command)"
                            + " error={} notLogged={}", e.getMessage(), notLogged);
                }
            }
        });
    }

    @Override
    public void close() {
        journal.close();
    }
}
