package com.oviron.callidus.tools.remote;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.cloud.MalformedMessageException;
import com.oviron.callidus.cloud.PublishRateLimiter;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.console.ConsoleFrame;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The engineer's side of one remote console session (docs/protocol.md, "Remote console"), without the
 * terminal: asks the unit with {@code console.open}, then copies typed bytes into frames on
 * {@code console/in} and the unit's frames on {@code console/out} to the screen, until the unit ends the
 * session or the engineer presses Ctrl-] (then {@code console.close} is sent).
 */
final class RemoteConsoleSession {
    /** Ctrl-]: leave, as in telnet. */
    static final int LEAVE = 0x1d;
    /** Frames sent per second at most (below what the unit takes, 50). */
    static final int FRAMES_PER_SECOND = 40;

    /** How {@code console.open} was answered. */
    record Opened(boolean ok, String code, String message, JsonObject result) {
    }

    private final CloudConsoleLink link;
    private final Topics topics;
    private final String session;
    private final Optional<String> operator;
    private final Duration replyTimeout;
    private final java.util.Map<String, CompletableFuture<JsonObject>> replies =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final CompletableFuture<String> ended = new CompletableFuture<>();
    /** What the unit sent before {@link #run} had a screen to show it on (its greeting and prompt). */
    private final java.io.ByteArrayOutputStream early = new java.io.ByteArrayOutputStream();
    private OutputStream screen = early;
    private long lastOutSeq;
    private long inSeq;
    /** Why the engineer is leaving, once they are: the unit's answering end frame then reports this. */
    private volatile String leaving;

    RemoteConsoleSession(CloudConsoleLink link, String device, String session, Optional<String> operator,
                         Duration replyTimeout) {
        this.link = link;
        this.topics = new Topics(device);
        this.session = session;
        this.operator = operator;
        this.replyTimeout = replyTimeout;
    }

    /** A fresh session id. */
    static String newSessionId() {
        return "rc-" + UUID.randomUUID().toString().substring(0, 18);
    }

    /** Subscribes, then asks the unit to open the console. */
    Opened open() throws IOException {
        link.subscribe(new String[] {topics.replies(), topics.consoleOut()}, this::arrived);
        JsonObject args = new JsonObject();
        args.addProperty("session", session);
        operator.ifPresent(o -> args.addProperty("operator", o));
        JsonObject reply = call("console.open", args);
        if (reply.get("ok").getAsBoolean()) {
            return new Opened(true, "", "", reply.getAsJsonObject("result"));
        }
        JsonObject error = reply.getAsJsonObject("error");
        return new Opened(false, error.get("code").getAsString(), error.get("message").getAsString(), new JsonObject());
    }

    /**
     * Copies {@code keyboard} to the unit and the unit's output to {@code screen} until the session ends.
     *
     * @return why it ended: the unit's reason ({@code idle}, {@code consent_revoked}...), {@code left} (Ctrl-]) or
     *     {@code input_closed}
     */
    String run(InputStream keyboard, OutputStream screen) throws IOException {
        synchronized (this) {
            early.writeTo(screen);
            screen.flush();
            this.screen = screen;
        }
        Thread reader = new Thread(() -> pump(keyboard), "remote-console-keyboard");
        reader.setDaemon(true);
        reader.start();
        try {
            return ended.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        }
    }

    private void pump(InputStream keyboard) {
        byte[] buf = new byte[ConsoleFrame.MAX_IN_BYTES];
        PublishRateLimiter rate = new PublishRateLimiter(FRAMES_PER_SECOND, System::nanoTime);
        try {
            while (!ended.isDone()) {
                int n = keyboard.read(buf);
                if (n < 0) {
                    leave("input_closed");
                    return;
                }
                int leave = indexOf(buf, n, LEAVE);
                if (leave >= 0) {
                    send(Arrays.copyOf(buf, leave), rate);
                    leave("left");
                    return;
                }
                send(Arrays.copyOf(buf, n), rate);
            }
        } catch (IOException e) {
            ended.complete("error: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void send(byte[] bytes, PublishRateLimiter rate) throws IOException, InterruptedException {
        if (bytes.length == 0) {
            return;
        }
        long wait;
        while ((wait = rate.tryAcquire()) > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
        link.publish(topics.consoleIn(), ConsoleFrame.data(session, ++inSeq, bytes).encode());
    }

    private void leave(String why) throws IOException {
        leaving = why;
        JsonObject args = new JsonObject();
        args.addProperty("session", session);
        try {
            call("console.close", args);
        } finally {
            ended.complete(why);
        }
    }

    private JsonObject call(String name, JsonObject args) throws IOException {
        String id = "rc-cmd-" + UUID.randomUUID();
        CompletableFuture<JsonObject> reply = new CompletableFuture<>();
        replies.put(id, reply);
        long now = System.currentTimeMillis();
        JsonObject command = new JsonObject();
        command.addProperty("v", 1);
        command.addProperty("id", id);
        command.addProperty("name", name);
        command.add("args", args);
        command.addProperty("issuedAt", now);
        command.addProperty("expiresAt", now + 60_000);
        link.publish(topics.commands(), command.toString().getBytes(StandardCharsets.UTF_8));
        try {
            return reply.get(replyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("the unit did not answer " + name + " within " + replyTimeout.toSeconds()
                    + " s (is it online?)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } finally {
            replies.remove(id);
        }
    }

    /** On the MQTT client's thread: replies complete their call, frames go to the screen. */
    private void arrived(String topic, byte[] payload) {
        if (topic.isEmpty()) {
            ended.complete("connection_lost");
            return;
        }
        if (topic.equals(topics.replies())) {
            try {
                JsonObject r = JsonParser.parseString(new String(payload, StandardCharsets.UTF_8)).getAsJsonObject();
                CompletableFuture<JsonObject> f = r.get("id").isJsonNull() ? null : replies.get(r.get("id")
                        .getAsString());
                if (f != null) {
                    f.complete(r);
                }
            } catch (RuntimeException e) {
                // another client's or a malformed reply: not ours
            }
            return;
        }
        ConsoleFrame frame;
        try {
            frame = ConsoleFrame.decode(payload, ConsoleFrame.MAX_OUT_BYTES);
        } catch (MalformedMessageException e) {
            return;
        }
        if (!frame.session().equals(session)) {
            return;
        }
        synchronized (this) {
            if (frame.seq() <= lastOutSeq) {
                return; // a copy
            }
            lastOutSeq = frame.seq();
            try {
                if (frame.data().isPresent()) {
                    screen.write(frame.data().get());
                    screen.flush();
                }
            } catch (IOException e) {
                ended.complete("error: " + e.getMessage());
            }
        }
        frame.end().ifPresent(reason -> ended.complete(leaving != null ? leaving : reason));
    }

    private static int indexOf(byte[] b, int n, int value) {
        for (int i = 0; i < n; i++) {
            if ((b[i] & 0xff) == value) {
                return i;
            }
        }
        return -1;
    }
}
