package dev.loopkit.streams;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.Server;
import dev.loopkit.api.ServerOptions;
import java.nio.file.Path;
import java.util.Objects;
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

    /** asyncio's {@code (reader, writer)} pair. */
    public record Connection(StreamReader reader, StreamWriter writer) {
    }

    /** asyncio {@code open_connection(host, port)} on the running loop. */
    public static CompletionStage<Connection> openConnection(String host, int port) {
        return openConnection(Asyncio.getRunningLoop(), host, port, StreamReader.DEFAULT_LIMIT);
    }

    public static CompletionStage<Connection> openConnection(EventLoop loop, String host, int port, int limit) {
        StreamReader reader = new StreamReader(loop, limit);
        StreamReaderProtocol protocol = new StreamReaderProtocol(loop, reader, null);
        return loop.createConnection(() -> protocol, host, port)
                .thenApply(made -> new Connection(reader, protocol.writer()));
    }

    /** asyncio {@code open_unix_connection(path)}. */
    public static CompletionStage<Connection> openUnixConnection(EventLoop loop, Path path, int limit) {
        StreamReader reader = new StreamReader(loop, limit);
        StreamReaderProtocol protocol = new StreamReaderProtocol(loop, reader, null);
        return loop.createUnixConnection(() -> protocol, path)
                .thenApply(made -> new Connection(reader, protocol.writer()));
    }

    /** asyncio {@code start_server(client_connected_cb, host, port)} on the running loop. */
    public static CompletionStage<Server> startServer(ClientConnected clientConnected, String host, int port) {
        return startServer(Asyncio.getRunningLoop(), clientConnected, host, port, StreamReader.DEFAULT_LIMIT);
    }

    public static CompletionStage<Server> startServer(EventLoop loop, ClientConnected clientConnected, String host,
            int port, int limit) {
        Objects.requireNonNull(clientConnected, "client_connected_cb");
        return loop.createServer(() -> new StreamReaderProtocol(loop, new StreamReader(loop, limit), clientConnected),
                host, port, ServerOptions.defaults());
    }

    /** asyncio {@code start_unix_server(client_connected_cb, path)}. */
    public static CompletionStage<Server> startUnixServer(EventLoop loop, ClientConnected clientConnected, Path path,
            int limit) {
        Objects.requireNonNull(clientConnected, "client_connected_cb");
        return loop.createUnixServer(() -> new StreamReaderProtocol(loop, new StreamReader(loop, limit), clientConnected), path);
    }
}
