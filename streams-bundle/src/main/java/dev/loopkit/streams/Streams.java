package dev.loopkit.streams;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.Connection;
import dev.loopkit.api.ConnectionOptions;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.Server;
import dev.loopkit.api.ServerOptions;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * asyncio's stream functions: {@code open_connection}, {@code start_server} and their Unix-socket
 * forms. Without a loop argument they use the running loop ({@link Asyncio#getRunningLoop()}).
 */
public final class Streams {

    private Streams() {
    }

    /** asyncio's {@code client_connected_cb}: may return a stage for its asynchronous work, or {@code null}. */
    @FunctionalInterface
    public interface ClientConnected {
        CompletionStage<?> connected(StreamReader reader, StreamWriter writer);
    }

    /**
     * asyncio's {@code (reader, writer)} pair, as {@code open_connection} returns it. (Not
     * {@code Connection}: that is the contract's transport-and-protocol pair.)
     */
    public record StreamPair(StreamReader reader, StreamWriter writer) {
    }

    /** asyncio {@code open_connection(host, port)} on the running loop. */
    public static CompletionStage<StreamPair> openConnection(String host, int port) {
        return openConnection(Asyncio.getRunningLoop(), host, port);
    }

    /** asyncio {@code open_connection(host, port)} on {@code loop}, with asyncio's 64 KiB buffer limit. */
    public static CompletionStage<StreamPair> openConnection(EventLoop loop, String host, int port) {
        return openConnection(loop, host, port, StreamReader.DEFAULT_LIMIT);
    }

    /** asyncio {@code open_connection(host, port, limit=limit)}. */
    public static CompletionStage<StreamPair> openConnection(EventLoop loop, String host, int port, int limit) {
        StreamReader reader = new StreamReader(loop, limit);
        StreamReaderProtocol protocol = new StreamReaderProtocol(loop, reader, null);
        return paired(loop.createConnection(() -> protocol, host, port), reader, protocol);
    }

    /**
     * asyncio {@code open_connection(host, port, limit=limit, ssl=…, server_hostname=…, local_addr=…)}:
     * the connection's options as {@code create_connection} takes them.
     */
    public static CompletionStage<StreamPair> openConnection(EventLoop loop, String host, int port, int limit,
            ConnectionOptions options) {
        Objects.requireNonNull(options, "options");
        StreamReader reader = new StreamReader(loop, limit);
        StreamReaderProtocol protocol = new StreamReaderProtocol(loop, reader, null);
        return paired(loop.createConnection(() -> protocol, host, port, options), reader, protocol);
    }

    /** asyncio {@code open_unix_connection(path)}, with asyncio's 64 KiB buffer limit. */
    public static CompletionStage<StreamPair> openUnixConnection(EventLoop loop, Path path) {
        return openUnixConnection(loop, path, StreamReader.DEFAULT_LIMIT);
    }

    /** asyncio {@code open_unix_connection(path, limit=limit)}. */
    public static CompletionStage<StreamPair> openUnixConnection(EventLoop loop, Path path, int limit) {
        StreamReader reader = new StreamReader(loop, limit);
        StreamReaderProtocol protocol = new StreamReaderProtocol(loop, reader, null);
        return paired(loop.createUnixConnection(() -> protocol, path), reader, protocol);
    }

    /**
     * The pair once connected. asyncio's {@code open_connection} is one coroutine: cancelling it or
     * timing it out ends the connect under it. Here the caller holds a stage derived from the connect,
     * whose cancel or timeout does not reach it: the socket stayed open, nobody's (an outside review).
     * So a pair that fails gives up the connect, or closes the connection it made.
     */
    private static CompletionStage<StreamPair> paired(CompletionStage<? extends Connection<?>> connecting, StreamReader reader,
            StreamReaderProtocol protocol) {
        CompletableFuture<? extends Connection<?>> connection = connecting.toCompletableFuture();
        CompletableFuture<StreamPair> pair = connection.thenApply(made -> new StreamPair(reader, protocol.writer()));
        pair.whenComplete((ok, error) -> {
            if (error != null) {
                connection.cancel(false);
                connection.thenAccept(made -> made.transport().close());
            }
        });
        return pair;
    }

    /** asyncio {@code start_server(client_connected_cb, host, port)} on the running loop. */
    public static CompletionStage<Server> startServer(ClientConnected clientConnected, String host, int port) {
        return startServer(Asyncio.getRunningLoop(), clientConnected, host, port);
    }

    /** asyncio {@code start_server(client_connected_cb, host, port)} on {@code loop}, with the default options and limit. */
    public static CompletionStage<Server> startServer(EventLoop loop, ClientConnected clientConnected, String host, int port) {
        return startServer(loop, clientConnected, host, port, StreamReader.DEFAULT_LIMIT, ServerOptions.defaults());
    }

    /** asyncio {@code start_server(client_connected_cb, host, port, limit=limit)}. */
    public static CompletionStage<Server> startServer(EventLoop loop, ClientConnected clientConnected, String host,
            int port, int limit) {
        return startServer(loop, clientConnected, host, port, limit, ServerOptions.defaults());
    }

    /**
     * asyncio {@code start_server(client_connected_cb, host, port, backlog=…, reuse_address=…,
     * reuse_port=…, start_serving=…)}: the server's options as {@code create_server} takes them.
     */
    public static CompletionStage<Server> startServer(EventLoop loop, ClientConnected clientConnected, String host,
            int port, ServerOptions options) {
        return startServer(loop, clientConnected, host, port, StreamReader.DEFAULT_LIMIT, options);
    }

    /** asyncio {@code start_server(client_connected_cb, host, port, limit=limit, …options)}. */
    public static CompletionStage<Server> startServer(EventLoop loop, ClientConnected clientConnected, String host,
            int port, int limit, ServerOptions options) {
        Objects.requireNonNull(clientConnected, "client_connected_cb");
        Objects.requireNonNull(options, "options");
        return loop.createServer(() -> new StreamReaderProtocol(loop, new StreamReader(loop, limit), clientConnected),
                host, port, options);
    }

    /** asyncio {@code start_unix_server(client_connected_cb, path)}, with asyncio's 64 KiB buffer limit. */
    public static CompletionStage<Server> startUnixServer(EventLoop loop, ClientConnected clientConnected, Path path) {
        return startUnixServer(loop, clientConnected, path, StreamReader.DEFAULT_LIMIT);
    }

    /** asyncio {@code start_unix_server(client_connected_cb, path, limit=limit)}. */
    public static CompletionStage<Server> startUnixServer(EventLoop loop, ClientConnected clientConnected, Path path,
            int limit) {
        Objects.requireNonNull(clientConnected, "client_connected_cb");
        return loop.createUnixServer(() -> new StreamReaderProtocol(loop, new StreamReader(loop, limit), clientConnected), path);
    }
}
