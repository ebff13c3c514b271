package com.oviron.callidus.cloud.paho;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.SocketChannel;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * An {@link SSLSocket} that is a TLS socket layered on a plain one: the plain socket connects, then the TLS
 * socket is made over it; every call goes to the TLS socket (or, before it exists, to the plain one). Its
 * decrypted input passes through the {@link LinkGuard}; {@link #abort()} closes the plain socket, which wakes
 * a blocked reader, writer or handshake at once.
 */
final class GuardedSslSocket extends SSLSocket implements LinkGuard.Abortable {
    private final SSLSocketFactory factory;
    private final LinkGuard guard;
    private final Socket raw;
    private volatile SSLSocket tls;
    private InputStream input;
    private OutputStream output;

    GuardedSslSocket(SSLSocketFactory factory, LinkGuard guard, Socket raw) {
        this.factory = factory;
        this.guard = guard;
        this.raw = raw;
    }

    /** Makes the TLS socket over the (connected) plain one. */
    void layer(String host, int port, boolean autoClose) throws IOException {
        tls = (SSLSocket) factory.createSocket(raw, host, port, autoClose);
    }

    private SSLSocket tls() {
        SSLSocket s = tls;
        if (s == null) {
            throw new IllegalStateException("the TLS socket is not connected yet");
        }
        return s;
    }

    private Socket current() {
        SSLSocket s = tls;
        return s == null ? raw : s;
    }

    @Override
    public void abort() {
        LinkGuard.closeQuietly(raw);
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        if (!(endpoint instanceof InetSocketAddress address)) {
            throw new IllegalArgumentException("an InetSocketAddress is needed, got " + endpoint);
        }
        raw.connect(address, timeout);
        guard.tcpConnected();
        layer(address.getHostString(), address.getPort(), true);
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        raw.bind(bindpoint);
    }

    @Override
    public synchronized InputStream getInputStream() throws IOException {
        if (input == null) {
            input = guard.guard(tls().getInputStream());
        }
        return input;
    }

    @Override
    public synchronized OutputStream getOutputStream() throws IOException {
        if (output == null) {
            output = guard.guard(tls().getOutputStream());
        }
        return output;
    }

    @Override
    public void close() throws IOException {
        SSLSocket s = tls;
        if (s != null && !raw.isClosed()) {
            s.close();
        }
        raw.close();
    }

    @Override
    public void shutdownInput() throws IOException {
        current().shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        current().shutdownOutput();
    }

    @Override
    public boolean isConnected() {
        return current().isConnected();
    }

    @Override
    public boolean isBound() {
        return raw.isBound();
    }

    @Override
    public boolean isClosed() {
        return current().isClosed() || raw.isClosed();
    }

    @Override
    public boolean isInputShutdown() {
        return current().isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return current().isOutputShutdown();
    }

    @Override
    public InetAddress getInetAddress() {
        return raw.getInetAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        return raw.getLocalAddress();
    }

    @Override
    public int getPort() {
        return raw.getPort();
    }

    @Override
    public int getLocalPort() {
        return raw.getLocalPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return raw.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return raw.getLocalSocketAddress();
    }

    @Override
    public SocketChannel getChannel() {
        return null;
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        current().setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        return current().getSoTimeout();
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        current().setTcpNoDelay(on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return current().getTcpNoDelay();
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        current().setSoLinger(on, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return current().getSoLinger();
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        current().setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return current().getKeepAlive();
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        current().setSendBufferSize(size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return current().getSendBufferSize();
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        current().setReceiveBufferSize(size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return current().getReceiveBufferSize();
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        current().setTrafficClass(tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return current().getTrafficClass();
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        current().setReuseAddress(on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return current().getReuseAddress();
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        current().setOOBInline(on);
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        return current().getOOBInline();
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        current().sendUrgentData(data);
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return tls().getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return tls().getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        tls().setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
        return tls().getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
        return tls().getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        tls().setEnabledProtocols(protocols);
    }

    @Override
    public SSLSession getSession() {
        return tls().getSession();
    }

    @Override
    public SSLSession getHandshakeSession() {
        return tls().getHandshakeSession();
    }

    @Override
    public void addHandshakeCompletedListener(HandshakeCompletedListener listener) {
        tls().addHandshakeCompletedListener(listener);
    }

    @Override
    public void removeHandshakeCompletedListener(HandshakeCompletedListener listener) {
        tls().removeHandshakeCompletedListener(listener);
    }

    @Override
    public void startHandshake() throws IOException {
        tls().startHandshake();
    }

    @Override
    public void setUseClientMode(boolean mode) {
        tls().setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
        return tls().getUseClientMode();
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        tls().setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
        return tls().getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
        tls().setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
        return tls().getWantClientAuth();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
        tls().setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation() {
        return tls().getEnableSessionCreation();
    }

    @Override
    public SSLParameters getSSLParameters() {
        return tls().getSSLParameters();
    }

    @Override
    public void setSSLParameters(SSLParameters params) {
        tls().setSSLParameters(params);
    }

    @Override
    public String getApplicationProtocol() {
        return tls().getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        return tls().getHandshakeApplicationProtocol();
    }

    @Override
    public String toString() {
        return "GuardedSslSocket[" + current() + "]";
    }
}
