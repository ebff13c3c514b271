package com.oviron.callidus.cloud.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP relay in front of a broker that a test can cut, like a Wi-Fi that drops: {@link #cut()}
 * closes every relayed connection at once without the client sending DISCONNECT (so the broker publishes
 * the client's last will), and {@link #setRefusing(boolean)} turns new connections away. {@link #stallAfter}
 * lets a line stall at a known point (the client's bytes beyond it are held, not lost, until {@link #unstall}
 * or a cut), so that a test stops a transfer in the middle whatever the machine's speed; {@link #connections()}
 * counts the connection attempts it saw.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Object budgetLock = new Object();
    /** Bytes the relay may still pass from clients to the broker; guarded by budgetLock. */
    private long upstreamBudget = Long.MAX_VALUE;
    private volatile boolean refusing;
    private volatile boolean closed;
    private final Object frozenLock = new Object();
    private boolean frozen;

    public TcpProxy(int targetPort) {
        this.targetPort = targetPort;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String uri() {
        return "tcp://127.0.0.1:" + server.getLocalPort();
    }

    /** The relay's own loopback port (for a URI with another scheme, e.g. {@code ssl://}). */
    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far, refused ones included: each is one attempt of a client. */
    public int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                connections.incrementAndGet();
                if (refusing) {
                    client.close();
                    continue;
                }
                Socket upstream;
                try {
                    upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                } catch (IOException e) {
                    client.close();
                    continue;
                }
                sockets.add(client);
                sockets.add(upstream);
                pipe(client, upstream, true);
                pipe(upstream, client, false);
            } catch (IOException e) {
                if (!closed) {
                    continue;
                }
            }
        }
    }

    private void pipe(Socket from, Socket to, boolean towardsBroker) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    awaitThaw();
                    int off = 0;
                    while (off < n) {
                        int k = towardsBroker ? takeBudget(n - off, from) : n - off;
                        out.write(buffer, off, k);
                        out.flush();
                        off += k;
                    }
                }
            } catch (IOException ignored) {
                // the other side went away or was cut
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                // a frozen line carries no close either: a broker that gives up on the silent client (its own
                // 1.5 x keep-alive) must not tell the unit so before the unit's watchdog notices the silence
                try {
                    awaitThaw();
                } catch (IOException interrupted) {
                    // closing now
                }
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pipe");
        t.setDaemon(true);
        t.start();
    }

    /** Up to {@code wanted} bytes the relay may pass now; waits while the line is stalled. */
    private int takeBudget(int wanted, Socket from) throws IOException, InterruptedException {
        synchronized (budgetLock) {
            while (upstreamBudget == 0) {
                if (from.isClosed() || closed) {
                    throw new IOException("cut while stalled");
                }
                budgetLock.wait(100);
            }
            int k = (int) Math.min(wanted, upstreamBudget);
            if (upstreamBudget != Long.MAX_VALUE) {
                upstreamBudget -= k;
            }
            return k;
        }
    }

    /**
     * From now on, passes at most {@code bytes} more bytes from the clients to the broker, then holds the
     * rest: the broker sees nothing more (and acknowledges nothing more) until {@link #unstall()}.
     */
    public void stallAfter(long bytes) {
        synchronized (budgetLock) {
            upstreamBudget = bytes;
            budgetLock.notifyAll();
        }
    }

    /** Lets everything flow again. */
    public void unstall() {
        synchronized (budgetLock) {
            upstreamBudget = Long.MAX_VALUE;
            budgetLock.notifyAll();
        }
    }

    /**
     * While frozen, nothing is relayed either way (bytes wait, and so does a close from either side), like a broker
     * that hangs or a link that silently stops carrying: connections stay open, and new ones are accepted.
     */
    public void freeze() {
        synchronized (frozenLock) {
            frozen = true;
        }
    }

    /** Relays again what waited, and what comes. */
    public void thaw() {
        synchronized (frozenLock) {
            frozen = false;
            frozenLock.notifyAll();
        }
    }

    private void awaitThaw() throws IOException {
        synchronized (frozenLock) {
            while (frozen && !closed) {
                try {
                    frozenLock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while frozen", e);
                }
            }
        }
    }

    /** Closes every relayed connection now; bytes held by a stall are dropped with them. */
    public void cut() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
        synchronized (budgetLock) {
            budgetLock.notifyAll();
        }
    }

    /** While true, new connections are closed as soon as they are accepted. */
    public void setRefusing(boolean refusing) {
        this.refusing = refusing;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        thaw();
        cut();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
