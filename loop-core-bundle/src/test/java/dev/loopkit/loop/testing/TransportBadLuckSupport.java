package dev.loopkit.loop.testing;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Connection;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.Server;
import dev.loopkit.api.Transport;
import dev.loopkit.streams.IncompleteReadException;
import dev.loopkit.streams.LimitOverrunException;
import dev.loopkit.streams.StreamReader;
import dev.loopkit.streams.StreamWriter;
import dev.loopkit.streams.Streams;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * What the outside review of the streams and TCP transports shares: helpers for
 * {@link TransportBadLuckContract}.
 */
public abstract class TransportBadLuckSupport extends SocketTestSupport {

    @Rule
    public final Timeout perTest = Timeout.seconds(60);

    protected static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    protected static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** What the stage ends with: its result, or the exception (unwrapped), or "still pending". */
    protected Object outcome(CompletionStage<?> stage, double seconds) {
        Object result = runFor(outcomeOf(stage, seconds));
        if (result instanceof java.util.concurrent.CompletionException wrapped && wrapped.getCause() != null) {
            return wrapped.getCause();
        }
        return result;
    }

    /** The descriptors open once the loop is made (its selector, its eventfd). */
    protected Map<Integer, String> withTheLoop;

    @org.junit.Before
    public void countTheLoopsDescriptors() {
        withTheLoop = Leaks.openFds();
    }

    protected static Map<Integer, String> sockets(Map<Integer, String> fds) {
        Map<Integer, String> out = new java.util.TreeMap<>(fds);
        out.values().removeIf(target -> !target.startsWith("socket:"));
        return out;
    }

    protected Server echoServer() {
        return runFor(loop.createServer(EchoProtocol::new, LOCALHOST, 0));
    }

    protected void sleepOnLoop(double seconds) {
        CompletableFuture<Void> tick = new CompletableFuture<>();
        loop.callLater(seconds, () -> tick.complete(null));
        runFor(tick);
    }

    /** A server that writes {@code data} to every client as it connects, then stays open. */
    protected Server greetingServer(byte[] data) {
        return runFor(loop.createServer(() -> new EchoProtocol() {
            @Override
            public void connectionMade(Transport made) {
                super.connectionMade(made);
                made.write(data);
            }
        }, LOCALHOST, 0));
    }

    protected final List<Map<String, Object>> reported = new CopyOnWriteArrayList<>();

    protected void recordReports() {
        loop.setExceptionHandler((l, context) -> reported.add(context));
    }

    protected List<String> reportedMessages() {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> context : reported) {
            out.add(context.get("message") + " / " + context.get("exception"));
        }
        return out;
    }

    protected Server streamEcho() {
        return runFor(Streams.startServer(loop, (reader, writer) -> echo(reader, writer), LOCALHOST, 0));
    }

    protected static CompletionStage<Void> echo(StreamReader reader, StreamWriter writer) {
        return reader.read(65536).thenCompose(data -> {
            if (data.length == 0) {
                writer.close();
                return writer.waitClosed();
            }
            writer.write(data);
            return writer.drain().thenCompose(x -> echo(reader, writer));
        });
    }

    /** A stream socket of the kind this loop's sock* operations take (the proactor overrides). */
    protected java.nio.channels.NetworkChannel openSockChannel() throws IOException {
        java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open();
        channel.configureBlocking(false);
        return channel;
    }

}
