package dev.loopkit.loop.core.io;

import dev.loopkit.api.Connection;
import dev.loopkit.api.ConnectionOptions;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.ServerOptions;
import dev.loopkit.api.Transport;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.tls.Tls;
import dev.loopkit.loop.core.transports.Pipes;
import java.net.InetSocketAddress;
import java.nio.channels.NetworkChannel;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * The base of the loops with transports: asyncio's TLS ({@code create_connection} with {@code ssl},
 * {@code start_tls}, {@code connect_accepted_socket}) over whatever socket transports the loop makes,
 * and {@code connect_read_pipe} / {@code connect_write_pipe} over the raw-descriptor transports every
 * loop has. A loop supplies its plain connections and servers; their TLS comes from here. (A package
 * of its own: {@link BaseEventLoop}'s is below the transports and TLS, which build on it.)
 */
public abstract class TransportEventLoop extends BaseEventLoop {

    @Override
    public <P extends Protocol> CompletionStage<Connection<P>> createConnection(Supplier<P> protocolFactory, String host, int port) {
        return openConnection(protocolFactory, host, port, null);
    }

    @Override
    public <P extends Protocol> CompletionStage<Connection<P>> createConnection(Supplier<P> protocolFactory, String host,
            int port, ConnectionOptions options) {
        boolean plain = Tls.plain(options);
        InetSocketAddress localAddr = options.localAddr();
        if (plain) {
            return openConnection(protocolFactory, host, port, localAddr);
        }
        return Tls.connect(this, protocolFactory, options, false, host, tls -> openConnection(tls, host, port, localAddr));
    }

    /**
     * asyncio's {@code create_connection} without TLS: a connection to the first address of
     * {@code host} that takes it, its socket bound to {@code localAddr} first unless that is
     * {@code null} ({@code local_addr}). A loop without socket transports refuses it.
     */
    protected <P extends Protocol> CompletionStage<Connection<P>> openConnection(Supplier<P> protocolFactory, String host,
            int port, InetSocketAddress localAddr) {
        throw unsupported("createConnection");
    }

    /** asyncio's {@code connect_accepted_socket} and {@code start_tls} take no {@code local_addr}: refused, not ignored. */
    private static void refuseLocalAddr(ConnectionOptions options) {
        if (Objects.requireNonNull(options, "options").localAddr() != null) {
            throw new IllegalArgumentException("local_addr is only meaningful with create_connection");
        }
    }

    @Override
    public CompletionStage<Transport> startTls(Transport transport, Protocol protocol, SSLContext sslContext,
            boolean serverSide, ConnectionOptions options) {
        refuseLocalAddr(options);
        checkClosed();
        return Tls.startTls(this, transport, protocol, sslContext, serverSide, options);
    }

    @Override
    public <P extends Protocol> CompletionStage<Connection<P>> connectAcceptedSocket(Supplier<P> protocolFactory,
            NetworkChannel channel, ConnectionOptions options) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(channel, "channel");
        boolean plain = Tls.plain(options);
        refuseLocalAddr(options);
        checkClosed();
        if (plain) {
            return startAcceptedTransport(channel, protocolFactory);
        }
        return Tls.connect(this, protocolFactory, options, true, null, tls -> startAcceptedTransport(channel, tls));
    }

    /**
     * A transport and protocol over {@code channel}, a connection accepted elsewhere: what
     * {@code connectAcceptedSocket} wraps TLS around. A loop without socket transports refuses it.
     *
     * @throws IllegalArgumentException asyncio's "A Stream Socket was expected, got …" for a channel of
     *         another kind than the loop's
     */
    protected <P extends Protocol> CompletionStage<Connection<P>> startAcceptedTransport(NetworkChannel channel,
            Supplier<P> protocolFactory) {
        throw unsupported("connectAcceptedSocket");
    }

    /** The protocol factory of a server made with {@code options}: TLS in front of each connection's protocol when {@code options.ssl()}. */
    protected final Supplier<? extends Protocol> serverProtocols(Supplier<? extends Protocol> protocolFactory,
            ServerOptions options) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(options, "options");
        return Tls.serverFactory(this, protocolFactory, options);
    }

    @Override
    public <P extends Protocol> CompletionStage<Connection<P>> connectReadPipe(Supplier<P> protocolFactory, int fd) {
        checkClosed();
        return Pipes.connectRead(this, protocolFactory, fd);
    }

    @Override
    public <P extends Protocol> CompletionStage<Connection<P>> connectWritePipe(Supplier<P> protocolFactory, int fd) {
        checkClosed();
        return Pipes.connectWrite(this, protocolFactory, fd);
    }
}
