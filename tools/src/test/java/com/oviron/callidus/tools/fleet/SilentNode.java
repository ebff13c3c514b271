package com.oviron.callidus.tools.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A broker node that takes every connection and never answers (no CONNACK): a node that hangs. Its
 * connections are held until {@link #close}.
 */
final class SilentNode implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    SilentNode() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accepter = new Thread(() -> {
            try {
                while (true) {
                    held.add(server.accept()); // accepted, read never, answered never
                }
            } catch (IOException closed) {
                // closed: the test is over
            }
        }, "silent-node");
        accepter.setDaemon(true);
        accepter.start();
    }

    String uri() {
        return "tcp://127.0.0.1:" + server.getLocalPort();
    }

    /** Connections taken so far. */
    int connections() {
        return held.size();
    }

    /** Whether every connection taken so far was closed by its client (its bytes read, then the end). */
    boolean allClosedByClients() {
        return held.stream().allMatch(SilentNode::closedByPeer);
    }

    private static boolean closedByPeer(Socket s) {
        try {
            s.setSoTimeout(10);
            InputStream in = s.getInputStream();
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the peer: closed as well
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : held) {
            s.close();
        }
    }
}
