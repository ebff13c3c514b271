package com.oviron.callidus.cloud.console;

import com.oviron.callidus.cloud.ConnectionListener;
import com.oviron.callidus.cloud.MalformedMessageException;
import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.cloud.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.tinylog.Logger;

/**
 * The unit's side of the remote console's byte stream (docs/protocol.md, "Remote console"): frames from the
 * cloud on {@link Topics#consoleIn()}, frames to it on {@link Topics#consoleOut()}, QoS 1, for at most one
 * session at a time ({@link RemoteConsoleStream}). The agent decides whether a session may be opened (consent,
 * subscription); this class only carries bytes. Frames for no open session are dropped. A session ends when
 * the connection it runs on goes down (for a service behind the subscription's gate: also when the gate
 * closes).
 *
 * <p>Threads: the connection's thread decodes frames and hands their bytes to the stream (never blocks).
 */
public final class RemoteConsoleLink {
    private final MqttConnection link;
    private final Topics topics;
    private final Clock clock;
    private RemoteConsoleStream current;

    /** @param link the connection, as the cloud services see it (behind the subscription's gate) */
    public RemoteConsoleLink(MqttConnection link, Topics topics, Clock clock) {
        this.link = Objects.requireNonNull(link, "link");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Subscribes; call before the connection starts. */
    public void start() {
        link.subscribe(topics.consoleIn(), 1, (topic, payload) -> arrived(payload));
        link.addListener(new ConnectionListener() {
            @Override
            public void connected() {
                // a session does not survive a lost connection; nothing to resume
            }

            @Override
            public void disconnected(String reason) {
                current().ifPresent(s -> s.end("link_lost"));
            }
        });
    }

    /** The session open now, if any. */
    public synchronized Optional<RemoteConsoleStream> current() {
        return Optional.ofNullable(current).filter(s -> s.endReason().isEmpty());
    }

    /**
     * Opens a session (there must be none open).
     *
     * @param onEnd told the reason once the session ends, on the thread that ended it
     * @throws IllegalStateException when one is open
     */
    public synchronized RemoteConsoleStream open(String session, Duration idle, Duration maxTime,
                                                 Consumer<String> onEnd) {
        if (current().isPresent()) {
            throw new IllegalStateException("remote console session " + current.session() + " is open");
        }
        current = new RemoteConsoleStream(session, frame -> link.publish(topics.consoleOut(), frame, 1, false),
                clock, idle, maxTime, onEnd);
        Logger.info("remote console opened session={} idleSeconds={} maxSeconds={}", session, idle.toSeconds(),
                maxTime.toSeconds());
        return current;
    }

    private void arrived(byte[] payload) {
        ConsoleFrame frame;
        try {
            frame = ConsoleFrame.decode(payload, ConsoleFrame.MAX_IN_BYTES);
        } catch (MalformedMessageException e) {
            Logger.warn("remote console frame dropped reason={} bytes={}", e.getMessage(), payload.length);
            return;
        }
        Optional<RemoteConsoleStream> s = current();
        if (s.isEmpty() || !s.get().session().equals(frame.session())) {
            Logger.debug("remote console frame for no open session dropped session={}", frame.session());
            return;
        }
        s.get().offer(frame);
    }
}
