package dev.loopkit.loop.selector;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Server;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.LoopTestSupport;
import dev.loopkit.streams.Streams;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.Test;

/**
 * {@code start_server}'s {@code client_connected_cb} is user code on the loop thread, and may call any
 * public method: here it closes the server that called it, opens a connection of its own to another
 * server, answers its client and stops the loop. The server's other connections are untouched, the
 * callback's own connection works, and the loop's run ends.
 */
public class ClientConnectedReentrancyTest extends LoopTestSupport {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }

    @Override
    protected boolean unexpectedErrorsFail() {
        return true;
    }

    @Test
    public void theCallbackMayCloseItsServerConnectElsewhereAndStopTheLoop() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        Server echo = runFor(Streams.startServer(loop, (reader, writer) -> reader.readline().thenAccept(line -> {
            writer.write(line);
            writer.close();
        }), "127.0.0.1", 0));
        int echoPort = port(echo);
        CompletableFuture<Server> served = new CompletableFuture<>();
        LoopFuture<Void> answered = loop.createFuture();
        Server server = runFor(Streams.startServer(loop, (reader, writer) -> {
            served.join().close();
            seen.add("server closing: " + !served.join().isServing());
            return Streams.openConnection(loop, "127.0.0.1", echoPort).thenCompose(pair -> {
                pair.writer().write("own\n".getBytes(StandardCharsets.US_ASCII));
                return pair.reader().readline();
            }).thenAccept(line -> {
                seen.add("its own connection: " + new String(line, StandardCharsets.US_ASCII).trim());
                writer.write("bye\n".getBytes(StandardCharsets.US_ASCII));
                writer.close();
                answered.setResult(null);
                loop.stop();
            });
        }, "127.0.0.1", 0));
        served.complete(server);
        Streams.StreamPair client = runFor(Streams.openConnection(loop, "127.0.0.1", port(server)));
        loop.callLater(DEADLINE_SECONDS, loop::stop);
        loop.runForever();
        assertEquals(List.of("server closing: true", "its own connection: own"), seen);
        assertEquals("bye\n", new String(runFor(client.reader().readline()), StandardCharsets.US_ASCII));
        runFor(answered);
        echo.close();
        client.writer().close();
    }

    private static int port(Server server) throws java.io.IOException {
        return ((InetSocketAddress) server.sockets().get(0).localAddress()).getPort();
    }
}
