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
}
