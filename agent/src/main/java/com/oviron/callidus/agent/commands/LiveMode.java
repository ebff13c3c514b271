package com.oviron.callidus.agent.commands;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.LiveSnapshot;
import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.command.Command;
import com.oviron.callidus.cloud.command.CommandArgs;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.command.CommandException;
import com.oviron.callidus.hal.Reading;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * Live mode (commands {@code live.start} and {@code live.stop}): for a limited time, selected channels are
 * streamed at up to every sample on {@link Topics#live()}, QoS 0, several readings per message, then the
 * stream stops by itself. It only reads what the sampler saw: the buffered telemetry (store, sequence
 * numbers, acknowledgements) is not touched, and a slow or absent link only drops live messages.
 *
 * <p>Threads: {@link #onSample} runs on the sampler's thread and only appends to a bounded buffer; the
 * messages are built and published on {@code executor} every {@link #FLUSH_EVERY}.
 */
public final class LiveMode {
    /** Longest live session one command may ask for. */
    public static final Duration MAX_DURATION = Duration.ofMinutes(10);
    /** How often buffered live readings go out. */
    public static final Duration FLUSH_EVERY = Duration.ofMillis(500);
    /** Readings held between two flushes at most (beyond: the oldest are dropped and counted). */
    static final int MAX_BUFFERED = 20_000;
    /** Readings per live message at most (about 40 bytes each: well under the 128 KB payload limit). */
    static final int MAX_PER_MESSAGE = 2_000;

    private record Session(Set<String> channels, long everyMillis, long untilMillis, long startedAtMillis) {
    }

    private final MqttConnection link;
    private final Topics topics;
    private final ScheduledExecutorService executor;
    private final Clock clock;
    private final Set<String> knownChannels;
    private final Duration samplePeriod;
    private final Map<String, Long> lastTaken = new ConcurrentHashMap<>();
    private final ArrayList<LiveSnapshot.Reading> buffer = new ArrayList<>();
    private volatile Session session;
    private ScheduledFuture<?> flusher;
    private long dropped;
    private long published;

    public LiveMode(MqttConnection link, Topics topics, ScheduledExecutorService executor, Clock clock,
                    Set<String> knownChannels, Duration samplePeriod) {
        this.link = link;
        this.topics = topics;
        this.executor = executor;
        this.clock = clock;
        this.knownChannels = Set.copyOf(knownChannels);
        this.samplePeriod = samplePeriod;
    }

    /** Registers {@code live.start} and {@code live.stop}. */
    public void registerOn(CommandChannel channel) {
        channel.register("live.start", this::start);
        channel.register("live.stop", this::stop);
    }

    /**
     * Args: {@code channels} (ids; absent or empty: all), {@code everyMs} (at least the sample period; default:
     * every sample), {@code seconds} (1 to 600, default 60). A running session is replaced.
     */
    JsonElement start(Command command) throws CommandException {
        CommandArgs args = command.arguments().allowOnly("channels", "everyMs", "seconds");
        List<String> wanted = args.strings("channels", 100);
        for (String c : wanted) {
            if (!knownChannels.contains(c)) {
                throw CommandException.invalidArgument("channels", "no channel " + c + " (the channel catalog lists"
                        + " them)");
            }
        }
        long every = args.optionalInteger("everyMs", samplePeriod.toMillis(), 60_000).orElse(samplePeriod.toMillis());
        long seconds = args.optionalInteger("seconds", 1, MAX_DURATION.toSeconds()).orElse(60L);
        Set<String> channels = wanted.isEmpty() ? knownChannels : new LinkedHashSet<>(wanted);
        long now = clock.millis();
        Session s = new Session(Set.copyOf(channels), every, now + seconds * 1000, now);
        synchronized (this) {
            lastTaken.clear();
            buffer.clear();
            session = s;
            if (flusher == null) {
                flusher = executor.scheduleWithFixedDelay(this::flush, FLUSH_EVERY.toMillis(), FLUSH_EVERY.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }
        Logger.info("live mode started channels={} everyMs={} seconds={} by={}", channels.size(), every, seconds,
                command.id());
        return describe(s);
    }

    JsonElement stop(Command command) throws CommandException {
        command.arguments().allowOnly();
        boolean wasOn = session != null;
        end("stopped by command " + command.id());
        JsonObject r = new JsonObject();
        r.addProperty("active", false);
        r.addProperty("wasActive", wasOn);
        return r;
    }

    /** Whether a session is running now. */
    public boolean active() {
        Session s = session;
        return s != null && clock.millis() <= s.untilMillis();
    }

    /** Live messages published since start. */
    public synchronized long published() {
        return published;
    }

    /** Called by the sampler with each sample cycle's readings; returns at once. */
    public void onSample(List<Reading> readings) {
        Session s = session;
        if (s == null) {
            return;
        }
        synchronized (this) {
            for (Reading r : readings) {
                if (!s.channels().contains(r.channelId())) {
                    continue;
                }
                long t = r.timestamp().toEpochMilli();
                Long last = lastTaken.get(r.channelId());
                if (last != null && t - last < s.everyMillis()) {
                    continue;
                }
                lastTaken.put(r.channelId(), t);
                if (buffer.size() >= MAX_BUFFERED) {
                    buffer.remove(0);
                    dropped++;
                }
                buffer.add(new LiveSnapshot.Reading(r.channelId(), t, r.value(), r.quality().code()));
            }
        }
    }

    private void flush() {
        List<LiveSnapshot.Reading> out;
        boolean over;
        synchronized (this) {
            Session s = session;
            if (s == null) {
                return;
            }
            out = new ArrayList<>(buffer);
            buffer.clear();
            over = clock.millis() > s.untilMillis();
        }
        try {
            if (link.isConnected()) {
                for (int i = 0; i < out.size(); i += MAX_PER_MESSAGE) {
                    List<LiveSnapshot.Reading> part = out.subList(i, Math.min(out.size(), i + MAX_PER_MESSAGE));
                    link.publish(topics.live(), new LiveSnapshot(topics.deviceId(), clock.millis(), part,
                            LiveSnapshot.STREAM).encode(), 0,
                            false);
                    synchronized (this) {
                        published++;
                    }
                }
            }
        } catch (RuntimeException e) {
            Logger.warn("live readings not published error={}", e.getMessage());
        }
        if (over) {
            end("its time ran out");
        }
    }

    private synchronized void end(String why) {
        if (session == null) {
            return;
        }
        session = null;
        buffer.clear();
        if (flusher != null) {
            flusher.cancel(false);
            flusher = null;
        }
        Logger.info("live mode ended reason={} published={} droppedReadings={}", why, published, dropped);
    }

    private static JsonObject describe(Session s) {
        JsonObject r = new JsonObject();
        r.addProperty("active", true);
        JsonArray channels = new JsonArray();
        s.channels().stream().sorted().forEach(channels::add);
        r.add("channels", channels);
        r.addProperty("everyMs", s.everyMillis());
        r.addProperty("until", s.untilMillis());
        return r;
    }
}
