package dev.loopkit.loop.testing;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.ExceptionHandler;
import dev.loopkit.api.Server;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import dev.loopkit.loop.core.BaseEventLoop;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Before;

/**
 * What the socket contracts share: the loopback address, the listening sockets the loop's
 * {@code sockAccept} takes, and the rule that nothing reaches the exception handler unless a test
 * installs its own.
 */
public abstract class SocketTestSupport extends LoopTestSupport {

    protected static final String LOCALHOST = "127.0.0.1";

    /** A port on {@code host} that nobody listens on or is bound to just now. */
    protected static int freePortOn(String host) throws java.io.IOException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            return probe.getLocalPort();
        }
    }

    private final List<Map<String, Object>> unexpectedErrors = Collections.synchronizedList(new ArrayList<>());
    private final ExceptionHandler recordUnexpected = (l, context) -> unexpectedErrors.add(context);

    /**
     * A listening TCP socket of the kind {@code sockAccept} takes, bound to a free port of 127.0.0.1:
     * a non-blocking {@link ServerSocketChannel}, unless the loop takes another kind.
     */
    protected NetworkChannel openListeningSocket() throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(LOCALHOST, 0));
        listener.configureBlocking(false);
        return listener;
    }

    /** What reaches the exception handler is a failure, unless the test installs its own handler. */
    @Before
    public void recordUnexpectedErrors() {
        loop.setExceptionHandler(recordUnexpected);
    }

    @After
    public void nothingUnexpectedReachedTheExceptionHandler() {
        if (loop.getExceptionHandler() == recordUnexpected) {
            assertEquals("reported to the exception handler", List.of(), List.copyOf(unexpectedErrors));
        }
    }

    protected static int port(Server server) {
        try {
            return ((InetSocketAddress) server.sockets().get(0).localAddress()).getPort();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** What a sweep of {@link #closesAtEveryTurn} starts on its fresh loop. */
    protected interface SweepStart {
        Object start(BaseEventLoop swept) throws Exception;
    }

    /**
     * For k = 0..turns: a fresh loop, {@code start} on it, a run of 2k milliseconds, then {@code close()}: what each close left
     * open or reported, as lines; empty when nothing.
     */
    protected List<String> closesAtEveryTurn(String what, int turns, SweepStart start) throws Exception {
        List<String> wrong = new ArrayList<>();
        for (int k = 0; k <= turns && wrong.size() < 30; k++) {
            Map<Integer, String> before = Leaks.openFds();
            BaseEventLoop swept = newLoop();
            List<Map<String, Object>> reported = Collections.synchronizedList(new ArrayList<>());
            swept.setExceptionHandler((l, context) -> reported.add(context));
            Object started = start.start(swept);
            if (k > 0) {
                swept.callLater(k * 0.002, swept::stop); // runs for 2 ms, 4 ms, ... then stops
                swept.runForever();
            }
            swept.close();
            // The peer's side of a connection closes once it sees the end: on its own thread, a moment later.
            Leaks.await(() -> Leaks.newFds(before).isEmpty(), 2);
            Map<Integer, String> left = Leaks.newFds(before);
            if (!left.isEmpty()) {
                String state = started instanceof java.util.concurrent.CompletionStage<?> stage
                        ? String.valueOf(stage.toCompletableFuture().isDone() ? stage.toCompletableFuture().handle((r, e) -> e != null ? e : r).join() : "pending")
                        : "";
                wrong.add(what + ", loop closed after " + 2 * k + " ms (" + state + "), left open: " + left);
            }
            if (!reported.isEmpty()) {
                wrong.add(what + ", loop closed after " + 2 * k + " ms, reported: " + reported);
            }
        }
        return wrong;
    }
}
