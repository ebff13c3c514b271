package com.oviron.callidus.agent.systemd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * A notify socket the test owns, as systemd's would be: a datagram unix socket in the abstract namespace
 * (no file, so a child process under another user can send to it too), collecting every message.
 */
public final class NotifySocketListener implements AutoCloseable {
    /** One datagram and when it arrived (System.nanoTime). */
    public record Message(String text, long atNanos) {
        public boolean has(String line) {
            return text.lines().anyMatch(line::equals);
        }
    }

    private final String name = "callidus-test-" + UUID.randomUUID();
    private final AFUNIXDatagramChannel socket;
    private final List<Message> messages = new ArrayList<>();
    private final Thread reader;

    public NotifySocketListener() throws IOException {
        socket = AFUNIXDatagramChannel.open();
        socket.bind(AFUNIXSocketAddress.inAbstractNamespace(name));
        reader = new Thread(this::read, "notify-listener");
        reader.setDaemon(true);
        reader.start();
    }

    /** The value for NOTIFY_SOCKET. */
    public String address() {
        return "@" + name;
    }

    private void read() {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (socket.isOpen()) {
            buffer.clear();
            try {
                socket.receive(buffer);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                continue;
            }
            buffer.flip();
            String text = StandardCharsets.UTF_8.decode(buffer).toString();
            synchronized (messages) {
                messages.add(new Message(text, System.nanoTime()));
            }
        }
    }

    public List<Message> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    public List<Message> with(String line) {
        return messages().stream().filter(m -> m.has(line)).toList();
    }

    public long count(Predicate<Message> which) {
        return messages().stream().filter(which).count();
    }

    public String dump() {
        List<String> texts = new ArrayList<>();
        messages().forEach(m -> texts.add(m.text().replace("\n", " | ")));
        return String.join("\n", texts);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
