package dev.loopkit.api;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/** asyncio's {@code Server}: listening sockets made by {@link EventLoop#createServer}. */
@ProviderType
public interface Server extends AutoCloseable {

    EventLoop getLoop();

    /**
     * asyncio's {@code Server.sockets}: the listening sockets as {@link TransportSocket}s (addresses and
     * options; nothing that could close them, accept on them or make them blocking under the server);
     * empty once closed. The list cannot be modified.
     */
    List<TransportSocket> sockets();

    /** Whether the server accepts connections. */
    boolean isServing();

    /**
     * Starts accepting, if the server was created with {@code startServing=false}.
     *
     * @throws java.io.UncheckedIOException where the loop listens only now (the epoll loop, as asyncio's
     *     {@code start_serving} calls {@code listen}) and the system refuses ("Address already in use")
     */
    void startServing();

    /**
     * asyncio {@code serve_forever()}: starts accepting and completes when the server is closed.
     */
    CompletionStage<Void> serveForever();

    /** Stops listening; connections already accepted stay open. */
    @Override
    void close();

    /** asyncio {@code close_clients()} (3.13): closes every accepted connection. */
    void closeClients();

    /** asyncio {@code abort_clients()} (3.13): aborts every accepted connection. */
    void abortClients();

    /** asyncio {@code wait_closed()}: completes when the server is closed and its connections are gone. */
    CompletionStage<Void> waitClosed();
}
