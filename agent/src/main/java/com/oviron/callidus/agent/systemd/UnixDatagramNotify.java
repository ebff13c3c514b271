package com.oviron.callidus.agent.systemd;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.tinylog.Logger;

/**
 * The notify socket over junixsocket (ADR 0018): the JDK opens unix sockets only as streams, and systemd's
 * socket takes datagrams. {@code NOTIFY_SOCKET} is a file path, or {@code @name} in the abstract namespace.
 */
final class UnixDatagramNotify implements SystemdNotify {
    private final String socketName;
    private final SocketAddress address;
    private AFUNIXDatagramChannel channel;
    private String lastError = "";

    private UnixDatagramNotify(String socketName, SocketAddress address, AFUNIXDatagramChannel channel) {
        this.socketName = socketName;
        this.address = address;
        this.channel = channel;
    }

    /** Opens an unbound datagram socket that sends to {@code notifySocket}. */
    static UnixDatagramNotify open(String notifySocket) throws IOException {
        SocketAddress address = notifySocket.startsWith("@")
                ? AFUNIXSocketAddress.inAbstractNamespace(notifySocket.substring(1))
                : AFUNIXSocketAddress.of(Path.of(notifySocket));
        return new UnixDatagramNotify(notifySocket, address, AFUNIXDatagramChannel.open());
    }

    @Override
    public synchronized boolean send(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        try {
            if (channel == null) {
                channel = AFUNIXDatagramChannel.open();
            }
            channel.send(ByteBuffer.wrap(bytes), address);
            lastError = "";
            return true;
        } catch (IOException | RuntimeException | LinkageError e) {
            // junixsocket closes the channel after a failed send: the next send starts with a fresh one
            closeQuietly();
            String error = String.valueOf(e);
            if (!error.equals(lastError)) {
                lastError = error;
                Logger.warn("systemd notify failed socket={} error={}", socketName, error);
            }
            return false;
        }
    }

    @Override
    public synchronized void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            Logger.debug("systemd notify socket not closed cleanly error={}", e.getMessage());
        }
        channel = null;
    }
}
